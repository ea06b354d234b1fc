/*
 * core/sha256.h — SHA-256 digests of input files (FIPS 180-4, computed by
 * Nettle), so a report names the exact bytes it was computed from.
 */
#ifndef PLSTAR_CORE_SHA256_H
#define PLSTAR_CORE_SHA256_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Lowercase hexadecimal digest and its terminating NUL. */
#define PLSTAR_SHA256_HEX 65

/* hex ← SHA-256 of data[0..len). */
void plstar_sha256_hex(char hex[PLSTAR_SHA256_HEX], const void *data, size_t len);

/* hex ← SHA-256 of the file's contents; PLSTAR_ENOINPUT (message naming the
 * file) when it cannot be opened or read. */
int plstar_sha256_file_hex(char hex[PLSTAR_SHA256_HEX], const char *path);

#ifdef __cplusplus
}
#endif

#endif
