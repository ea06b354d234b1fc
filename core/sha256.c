#include "core/sha256.h"
#include "core/error.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

static void digest_to_hex(char hex[PLSTAR_SHA256_HEX], struct sha256_ctx *ctx)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_digest(ctx, sizeof d, d);
    for (size_t k = 0; k < sizeof d; k++) {
        hex[2 * k] = digits[d[k] >> 4];
        hex[2 * k + 1] = digits[d[k] & 15];
    }
    hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

void plstar_sha256_hex(char hex[PLSTAR_SHA256_HEX], const void *data, size_t len)
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    digest_to_hex(hex, &ctx);
}

int plstar_sha256_file_hex(char hex[PLSTAR_SHA256_HEX], const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return plstar_error(PLSTAR_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, got, buf);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return plstar_error(PLSTAR_ENOINPUT, "%s: read error while hashing", path);
    digest_to_hex(hex, &ctx);
    return PLSTAR_OK;
}
