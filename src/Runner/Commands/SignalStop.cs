using System.Runtime.InteropServices;
using FastLoad.Runner.Logging;
using Microsoft.Extensions.Logging;

namespace FastLoad.Runner.Commands;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM (timeout, systemd, Docker, Kubernetes) both stop a load cleanly: the first one cancels
/// <see cref="Token"/> (no more signing, in-flight answers drained, summary printed, results file closed as
/// 'interrupted'), and the command then exits with <see cref="ExitCode"/> (130 / 143). A second signal kills the
/// process at once.
/// </summary>
internal sealed class SignalStop : IDisposable
{
    private readonly CancellationTokenSource _interrupt;
    private readonly PosixSignalRegistration? _onInt;
    private readonly PosixSignalRegistration? _onTerm;
    private readonly ILogger _log;
    private readonly string _stopping;
    private int _signals;
    private int _exitCode;

    /// <param name="stopping">What stopping does, for the line printed on the first signal (e.g. "no more signing, draining in-flight requests").</param>
    /// <param name="instead">
    /// A stop other than the process's signals (a run of <c>fastload serve</c>, stopped through its API): cancelling it
    /// stops the command as a first signal does, and no signal handler is registered (the service has its own).
    /// </param>
    public SignalStop(ILogger log, string stopping, CancellationToken? instead = null)
    {
        _log = log;
        _stopping = stopping;
        if (instead is CancellationToken external)
        {
            _interrupt = CancellationTokenSource.CreateLinkedTokenSource(external);
            return;
        }
        _interrupt = new CancellationTokenSource();
        _onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _interrupt.Token;

    /// <summary>130 after Ctrl-C, 143 after SIGTERM, 0 while no signal came.</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary><see cref="ExitCode"/>, or 130 when the stop came some other way (a cancelled token).</summary>
    public int ExitCodeOr130 => ExitCode > 0 ? ExitCode : 130;

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) > 1) return;
        context.Cancel = true;
        Volatile.Write(ref _exitCode, context.Signal == PosixSignal.SIGTERM ? 143 : 130);
        string name = context.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl-C";
        _log.Signal(name);
        Console.Error.WriteLine($"Stopping ({name}): {_stopping}... (again to kill)");
        _interrupt.Cancel();
    }

    public void Dispose()
    {
        _onInt?.Dispose();
        _onTerm?.Dispose();
        _interrupt.Dispose();
    }
}
