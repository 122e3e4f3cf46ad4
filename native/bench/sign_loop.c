/*
 * sign_loop.c - C baseline for recoverable ECDSA signing throughput.
 *
 * Calls the same libsecp256k1 file the C# code P/Invokes (the NuGet package
 * Secp256k1.Net's libsecp256k1.so, which the build copies next to fastload.dll),
 * loaded with dlopen, and measures secp256k1_ecdsa_sign_recoverable +
 * ..._serialize_compact on ONE thread. The package carries no headers, so the
 * few prototypes and constants used are declared below (from secp256k1.h and
 * secp256k1_recovery.h; stable since 0.1).
 *
 *   build:  cc -O2 -o native/.deps/bin/sign_loop native/bench/sign_loop.c -ldl
 *           (native/install.sh does this; no libsecp256k1 needed to build)
 *   run:    native/.deps/bin/sign_loop [seconds] [library]     (default 3 s;
 *           library defaults to src/Runner/bin/Release/net10.0/runtimes/linux-x64/native/libsecp256k1.so,
 *           found from this binary's place in native/.deps/bin; `bench sign-ratio` passes the engine's)
 *   output: {"signs":N,"seconds":S,"signs_per_sec":R,"checksum":C,"library":"PATH"}
 *
 * Keys and message hashes are deterministic pseudo-random (splitmix64, fixed
 * seed); only the context randomization seed comes from the OS.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <libgen.h>

/* ---- the libsecp256k1 ABI used here (secp256k1.h, secp256k1_recovery.h) ---- */
typedef struct secp256k1_context_struct secp256k1_context;
typedef struct { unsigned char data[64]; } secp256k1_pubkey;
typedef struct { unsigned char data[65]; } secp256k1_ecdsa_recoverable_signature;
#define SECP256K1_CONTEXT_NONE (1u << 0)      /* SECP256K1_FLAGS_TYPE_CONTEXT */
#define SECP256K1_EC_UNCOMPRESSED (1u << 1)   /* SECP256K1_FLAGS_TYPE_COMPRESSION */

static secp256k1_context *(*secp256k1_context_create)(unsigned int flags);
static void (*secp256k1_context_destroy)(secp256k1_context *ctx);
static int (*secp256k1_context_randomize)(secp256k1_context *ctx, const unsigned char *seed32);
static int (*secp256k1_ec_seckey_verify)(const secp256k1_context *ctx, const unsigned char *seckey);
static int (*secp256k1_ec_pubkey_create)(const secp256k1_context *ctx, secp256k1_pubkey *pubkey, const unsigned char *seckey);
static int (*secp256k1_ec_pubkey_serialize)(const secp256k1_context *ctx, unsigned char *output, size_t *outputlen,
                                            const secp256k1_pubkey *pubkey, unsigned int flags);
static int (*secp256k1_ecdsa_sign_recoverable)(const secp256k1_context *ctx, secp256k1_ecdsa_recoverable_signature *sig,
                                               const unsigned char *msghash32, const unsigned char *seckey,
                                               const void *noncefp, const void *ndata);
static int (*secp256k1_ecdsa_recoverable_signature_serialize_compact)(const secp256k1_context *ctx, unsigned char *output64,
                                                                      int *recid, const secp256k1_ecdsa_recoverable_signature *sig);
static int (*secp256k1_ecdsa_recover)(const secp256k1_context *ctx, secp256k1_pubkey *pubkey,
                                      const secp256k1_ecdsa_recoverable_signature *sig, const unsigned char *msghash32);

#define DEFAULT_LIB_FROM_BIN "../../../src/Runner/bin/Release/net10.0/runtimes/linux-x64/native/libsecp256k1.so"

/* Loads the library and every symbol above, or prints one line and exits 1. */
static void load_secp(const char *path) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "sign_loop: cannot load %s (%s); build FastLoad first (dotnet build restores NuGet package Secp256k1.Net) or pass the library as the second argument\n", path, dlerror());
        exit(1);
    }
#define SYM(name) do { *(void **)(&name) = dlsym(lib, #name); \
        if (!name) { fprintf(stderr, "sign_loop: %s does not export " #name "\n", path); exit(1); } } while (0)
    SYM(secp256k1_context_create);
    SYM(secp256k1_context_destroy);
    SYM(secp256k1_context_randomize);
    SYM(secp256k1_ec_seckey_verify);
    SYM(secp256k1_ec_pubkey_create);
    SYM(secp256k1_ec_pubkey_serialize);
    SYM(secp256k1_ecdsa_sign_recoverable);
    SYM(secp256k1_ecdsa_recoverable_signature_serialize_compact);
    SYM(secp256k1_ecdsa_recover);
#undef SYM
}

/* The default library: DEFAULT_LIB_FROM_BIN relative to this executable's folder (native/.deps/bin). */
static const char *default_lib(char *buf, size_t size) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = '\0';
    char rel[PATH_MAX];
    if (snprintf(rel, sizeof rel, "%s/%s", dirname(exe), DEFAULT_LIB_FROM_BIN) >= (int)sizeof rel) return NULL;
    if (!realpath(rel, buf)) { snprintf(buf, size, "%s", rel); } /* not there: report the unresolved path */
    return buf;
}

#define NKEYS 1024          /* distinct private keys / message hashes */
#define CLOCK_EVERY 64      /* signs between clock reads */
#define WARMUP_SECONDS 0.25

static uint64_t sm_state = 0x466173744c6f6164ULL; /* "FastLoad" as a fixed seed */

static uint64_t splitmix64(void) {
    uint64_t z = (sm_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void fill_prng(unsigned char *out, size_t n) {
    while (n > 0) {
        uint64_t v = splitmix64();
        size_t k = n < 8 ? n : 8;
        memcpy(out, &v, k);
        out += k;
        n -= k;
    }
}

static double now_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int os_random(unsigned char *out, size_t n) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, out + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { close(fd); return 0; }
        got += (size_t)r;
    }
    close(fd);
    return 1;
}

static unsigned char seckeys[NKEYS][32];
static unsigned char msgs[NKEYS][32];

int main(int argc, char **argv) {
    double duration = 3.0;
    if (argc > 1) {
        char *end = NULL;
        duration = strtod(argv[1], &end);
        if (end == argv[1] || *end != '\0' || !(duration > 0.0) || duration > 86400.0) {
            fprintf(stderr, "usage: %s [seconds>0] [libsecp256k1.so]  (default 3 s)\n", argv[0]);
            return 2;
        }
    }
    char libbuf[PATH_MAX];
    const char *lib = argc > 2 ? argv[2] : default_lib(libbuf, sizeof libbuf);
    if (!lib) { fprintf(stderr, "sign_loop: cannot find my own path; pass the library as the second argument\n"); return 1; }
    char libreal[PATH_MAX];
    if (realpath(lib, libreal)) lib = libreal;
    load_secp(lib);

    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!ctx) { fprintf(stderr, "sign_loop: secp256k1_context_create failed\n"); return 1; }

    unsigned char seed[32];
    if (!os_random(seed, sizeof seed)) { fprintf(stderr, "sign_loop: cannot read /dev/urandom\n"); return 1; }
    if (!secp256k1_context_randomize(ctx, seed)) { fprintf(stderr, "sign_loop: secp256k1_context_randomize failed\n"); return 1; }

    for (int i = 0; i < NKEYS; i++) {
        do { fill_prng(seckeys[i], 32); } while (!secp256k1_ec_seckey_verify(ctx, seckeys[i]));
        fill_prng(msgs[i], 32);
    }

    /* Sanity check (untimed): sign, recover, compare with the derived pubkey. */
    {
        secp256k1_ecdsa_recoverable_signature sig;
        secp256k1_pubkey expect, got;
        unsigned char a[65], b[65];
        size_t la = sizeof a, lb = sizeof b;
        if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, msgs[0], seckeys[0], NULL, NULL) ||
            !secp256k1_ec_pubkey_create(ctx, &expect, seckeys[0]) ||
            !secp256k1_ecdsa_recover(ctx, &got, &sig, msgs[0]) ||
            !secp256k1_ec_pubkey_serialize(ctx, a, &la, &expect, SECP256K1_EC_UNCOMPRESSED) ||
            !secp256k1_ec_pubkey_serialize(ctx, b, &lb, &got, SECP256K1_EC_UNCOMPRESSED) ||
            la != lb || memcmp(a, b, la) != 0) {
            fprintf(stderr, "sign_loop: self-check (sign/recover round trip) failed\n");
            return 1;
        }
    }

    secp256k1_ecdsa_recoverable_signature sig;
    unsigned char compact[64];
    int recid = 0;
    unsigned checksum = 0;
    uint64_t signs = 0;
    unsigned idx = 0;

    /* Warm-up: caches, frequency scaling, lazy page faults. */
    double t_end = now_sec() + WARMUP_SECONDS;
    do {
        for (int k = 0; k < CLOCK_EVERY; k++) {
            secp256k1_ecdsa_sign_recoverable(ctx, &sig, msgs[idx], seckeys[idx], NULL, NULL);
            secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, compact, &recid, &sig);
            checksum ^= compact[idx & 63] ^ (unsigned)recid;
            idx = (idx + 1) & (NKEYS - 1);
        }
    } while (now_sec() < t_end);

    /* Measured run. */
    double t0 = now_sec(), t1;
    t_end = t0 + duration;
    for (;;) {
        for (int k = 0; k < CLOCK_EVERY; k++) {
            if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, msgs[idx], seckeys[idx], NULL, NULL)) {
                fprintf(stderr, "sign_loop: secp256k1_ecdsa_sign_recoverable failed\n");
                return 1;
            }
            secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, compact, &recid, &sig);
            checksum = (checksum * 31u) ^ compact[idx & 63] ^ compact[32] ^ (unsigned)recid;
            idx = (idx + 1) & (NKEYS - 1);
        }
        signs += CLOCK_EVERY;
        t1 = now_sec();
        if (t1 >= t_end) break;
    }
    double secs = t1 - t0;

    printf("{\"signs\":%llu,\"seconds\":%.6f,\"signs_per_sec\":%.1f,\"checksum\":%u,\"library\":\"%s\"}\n",
           (unsigned long long)signs, secs, (double)signs / secs, checksum, lib);
    secp256k1_context_destroy(ctx);
    return 0;
}
