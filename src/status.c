/* status.c - status strings and version, generated from the one list in
 * clinit.h (CLINIT_STATUS_MAP) so they cannot drift. */
#include "clinit.h"

const char *clinit_strerror(int status)
{
    switch (status) {
#define CLINIT_STATUS_MSG_(name, value, msg)                                   \
    case value:                                                                \
        return msg;
        CLINIT_STATUS_MAP(CLINIT_STATUS_MSG_)
#undef CLINIT_STATUS_MSG_
    default:
        return "unknown clinit status";
    }
}

const char *clinit_status_name(int status)
{
    switch (status) {
#define CLINIT_STATUS_NAME_(name, value, msg)                                  \
    case value:                                                                \
        return #name;
        CLINIT_STATUS_MAP(CLINIT_STATUS_NAME_)
#undef CLINIT_STATUS_NAME_
    default:
        return "UNKNOWN";
    }
}

unsigned clinit_version(void)
{
    return CLINIT_VERSION_NUMBER;
}

const char *clinit_version_string(void)
{
    return CLINIT_VERSION_STRING;
}
