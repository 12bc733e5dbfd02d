/*
 * Linked into the NativeAOT simdrnn binary only (see SimdRnn.Cli.csproj). Runs before main, before the
 * .NET runtime starts: if this CPU lacks an instruction set the binary was compiled for, print one line
 * naming the build level and the first missing feature, and exit with status 1. Without it the runtime
 * prints "The required instruction sets are not supported by the current CPU." and aborts (SIGABRT, 134).
 *
 * SIMDRNN_ISA_LEVEL is the x86-64 microarchitecture level of the managed code: 2, 3 or 4; 0 disables the
 * check (IlcInstructionSet=native or an explicit list: the runtime's own check still applies).
 * This file must stay baseline x86-64 (no -m flags): it runs on the CPUs it rejects.
 */
#if defined(__x86_64__) && defined(SIMDRNN_ISA_LEVEL) && SIMDRNN_ISA_LEVEL >= 2

#include <cpuid.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static uint64_t simdrnn_xgetbv0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static void simdrnn_say(const char *text)
{
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
    (void)ignored;
}

/* The first feature of the build level this CPU does not have, or NULL. */
static const char *simdrnn_missing_feature(void)
{
    unsigned int a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return "CPUID leaf 1";
    unsigned int c1 = c;

    if (!(c1 & (1u << 0))) return "SSE3";
    if (!(c1 & (1u << 9))) return "SSSE3";
    if (!(c1 & (1u << 13))) return "CMPXCHG16B";
    if (!(c1 & (1u << 19))) return "SSE4.1";
    if (!(c1 & (1u << 20))) return "SSE4.2";
    if (!(c1 & (1u << 23))) return "POPCNT";
    if (SIMDRNN_ISA_LEVEL < 3) return 0;

    if (!(c1 & (1u << 28))) return "AVX";
    if (!(c1 & (1u << 27))) return "OSXSAVE (AVX state)";
    uint64_t xcr0 = simdrnn_xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return "AVX state enabled by the OS";
    if (!(c1 & (1u << 12))) return "FMA";
    if (!(c1 & (1u << 22))) return "MOVBE";
    if (!(c1 & (1u << 29))) return "F16C";

    unsigned int b7 = 0;
    if (__get_cpuid_max(0, 0) < 7) return "AVX2";
    __cpuid_count(7, 0, a, b, c, d);
    b7 = b;
    if (!(b7 & (1u << 5))) return "AVX2";
    if (!(b7 & (1u << 3))) return "BMI1";
    if (!(b7 & (1u << 8))) return "BMI2";

    if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(c & (1u << 5))) return "LZCNT";
    if (SIMDRNN_ISA_LEVEL < 4) return 0;

    if (!(b7 & (1u << 16))) return "AVX512F";
    if (!(b7 & (1u << 17))) return "AVX512DQ";
    if (!(b7 & (1u << 28))) return "AVX512CD";
    if (!(b7 & (1u << 30))) return "AVX512BW";
    if (!(b7 & (1u << 31))) return "AVX512VL";
    if ((xcr0 & 0xE6) != 0xE6) return "AVX-512 state enabled by the OS";
    return 0;
}

__attribute__((constructor(101))) static void simdrnn_check_cpu(void)
{
    const char *missing = simdrnn_missing_feature();
    if (!missing) return;

#define SIMDRNN_STR2(x) #x
#define SIMDRNN_STR(x) SIMDRNN_STR2(x)
    simdrnn_say("simdrnn: this binary is built for x86-64-v" SIMDRNN_STR(SIMDRNN_ISA_LEVEL)
#if SIMDRNN_ISA_LEVEL >= 4
                " (AVX-512)"
#elif SIMDRNN_ISA_LEVEL == 3
                " (AVX2, FMA)"
#endif
                " and this CPU has no ");
    simdrnn_say(missing);
#if SIMDRNN_ISA_LEVEL >= 4
    simdrnn_say("; use the default build (x86-64-v3): dotnet publish src/Cli -c Release\n");
#else
    simdrnn_say("; build for this CPU: dotnet publish src/Cli -c Release -p:SimdRnnIsa=native\n");
#endif
    _exit(1);
}

#else
/* Nothing to check: keep the translation unit non-empty. */
typedef int simdrnn_cpucheck_disabled;
#endif
