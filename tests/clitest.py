"""Shared by the clinit command's end-to-end tests (test_cli.py,
test_init.py, test_safety.py), which run as scripts with the binary as
their first argument."""
import os
import sys


def binary_from_argv(doc):
    """Pops argv[1], the clinit executable, and returns its absolute path;
    exits with status 2 (and the test's usage, `doc`) when it is missing
    or not executable."""
    if len(sys.argv) < 2:
        sys.stderr.write(doc)
        sys.exit(2)
    path = os.path.abspath(sys.argv.pop(1))
    if not os.access(path, os.X_OK):
        sys.stderr.write("not an executable: %s\n" % path)
        sys.exit(2)
    return path
