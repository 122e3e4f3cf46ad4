/*
 * sign_loop.c - C baseline for recoverable ECDSA signing throughput.
 *
 * Links the same system libsecp256k1 the C# code P/Invokes, and measures
 * secp256k1_ecdsa_sign_recoverable + ..._serialize_compact on ONE thread.
 *
 *   build:  cc -O2 -o native/.deps/bin/sign_loop native/bench/sign_loop.c -lsecp256k1
 *           (native/install.sh does this)
 *   run:    native/.deps/bin/sign_loop [seconds]      (default 3)
 *   output: {"signs":N,"seconds":S,"signs_per_sec":R,"checksum":C}
 *
 * Keys and message hashes are deterministic pseudo-random (splitmix64, fixed
 * seed); only the context randomization seed comes from the OS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

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
            fprintf(stderr, "usage: %s [seconds>0]  (default 3)\n", argv[0]);
            return 2;
        }
    }

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

    printf("{\"signs\":%llu,\"seconds\":%.6f,\"signs_per_sec\":%.1f,\"checksum\":%u}\n",
           (unsigned long long)signs, secs, (double)signs / secs, checksum);
    secp256k1_context_destroy(ctx);
    return 0;
}
