// llama_load.mjs - loads GGUF checkpoints with llama.cpp (the prebuilt CPU
// build of the pinned node-llama-cpp package) and generates 8 tokens
// greedily from a short prompt with each. Run by tests/test_llama.py.
//
// usage: node tests/llama_load.mjs NODE_MODULES_DIR MODEL.gguf...
// Prints, per model, the prompt's token ids, the generated ids and their
// text; exits 0 only when every model loaded and gave 8 tokens, else 1.
import path from "node:path";
import {pathToFileURL} from "node:url";

const [modules, ...models] = process.argv.slice(2);
if (!modules || models.length === 0) {
    console.error("usage: node llama_load.mjs NODE_MODULES_DIR MODEL.gguf...");
    process.exit(2);
}
const entry = path.join(modules, "node-llama-cpp", "dist", "index.js");
const {getLlama, LlamaLogLevel} = await import(pathToFileURL(entry).href);

const WANT = 8;

async function generate(llama, modelPath) {
    const model = await llama.loadModel({modelPath});
    console.log(`loaded: ${modelPath}: ` +
                `${model.fileInfo.metadata.general.architecture}, ` +
                `${model.trainContextSize} context, ${model.tokens.bos} bos, ` +
                `${model.tokens.eos} eos`);
    const context = await model.createContext({contextSize: 64});
    const sequence = context.getSequence();
    const prompt = model.tokenize("Hello, clinit!");
    console.log(`prompt ids: [${prompt.join(", ")}]`);
    const out = [];
    // greedy (temperature 0): the same tokens on every run; an end-of-text
    // token is one of the 8 (generation goes on after it)
    for await (const token of sequence.evaluate(prompt, {temperature: 0,
                                                         yieldEogToken: true})) {
        out.push(token);
        if (out.length >= WANT)
            break;
    }
    console.log(`generated ids: [${out.join(", ")}]`);
    console.log(`generated text: ${JSON.stringify(model.detokenize(out))}`);
    await context.dispose();
    await model.dispose();
    if (out.length !== WANT)
        throw new Error(`${modelPath}: ${out.length} tokens, not ${WANT}`);
}

try {
    // the prebuilt binary only: never a source build (no network needed)
    const llama = await getLlama({gpu: false, build: "never",
                                  logLevel: LlamaLogLevel.warn});
    for (const m of models)
        await generate(llama, m);
    await llama.dispose();
} catch (e) {
    console.error(`llama.cpp failed: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
}
