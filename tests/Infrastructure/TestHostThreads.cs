using System.Runtime.CompilerServices;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// The test host runs in-process servers (the sink, scripted HTTP servers) beside work that blocks thread-pool threads
/// (most likely the child processes' stdout and stderr readers: a pipe read blocks a pool thread on Unix). With the
/// pool's default minimum (one thread per core) a
/// server's handlers then wait for the pool to add threads, about half a second each: a shape run against the
/// in-process sink saw 0.5-0.78 s waits for its answers every other second in CI (and failed its per-second rate
/// check three runs in a row), and none in 3 runs with a minimum of 8. (32 cured it too, but spread the work over more
/// threads and made more one-off allocations in the TLS allocation test.) A standalone `fastload sink` shows none.
/// </summary>
internal static class TestHostThreads
{
    [ModuleInitializer]
    internal static void RaiseThreadPoolMinimum()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 8), Math.Max(io, 8));
    }
}
