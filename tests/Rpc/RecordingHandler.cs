using System.Buffers;
using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Rpc;

/// <summary>Records every callback of a connection, in order, and lets a test wait for a number of them.</summary>
public sealed class RecordingHandler : IRpcResponseHandler
{
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(10);

    private readonly List<Event> _events = [];
    private readonly SemaphoreSlim _arrived = new(0);

    public sealed record Event(int Status, string? Body, TxOutcome Failure, string? FailureMessage, object? State, int ThreadId)
    {
        public bool IsResponse => Failure == TxOutcome.Pending;
    }

    public IReadOnlyList<Event> Events
    {
        get
        {
            lock (_events) return [.. _events];
        }
    }

    public void OnResponse(int status, ReadOnlySequence<byte> body, object? state)
    {
        Add(new Event(status, Encoding.UTF8.GetString(body), TxOutcome.Pending, null, state, Environment.CurrentManagedThreadId));
    }

    public void OnFailure(TxOutcome reason, string message, object? state)
    {
        Add(new Event(0, null, reason, message, state, Environment.CurrentManagedThreadId));
    }

    private void Add(Event e)
    {
        lock (_events) _events.Add(e);
        _arrived.Release();
    }

    /// <summary>Waits until <paramref name="count"/> events arrived in total; returns them all.</summary>
    public async Task<IReadOnlyList<Event>> WaitForAsync(int count)
    {
        using var timeout = new CancellationTokenSource(WaitTimeout);
        while (Events.Count < count) await _arrived.WaitAsync(timeout.Token);
        return Events;
    }
}
