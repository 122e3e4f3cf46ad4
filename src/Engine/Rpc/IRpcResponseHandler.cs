using System.Buffers;

namespace FastLoad.Engine.Rpc;

/// <summary>
/// Receives the outcome of one request sent on a <see cref="PipelinedHttpConnection"/>: exactly one of the two
/// methods is called, exactly once. Implement it on a long-lived object (the sender loop) and pass the per-request
/// context as <c>state</c>, so nothing is allocated per request.
/// </summary>
public interface IRpcResponseHandler
{
    /// <summary>
    /// An HTTP response arrived for the request. Called on the connection's reader loop, synchronously, while
    /// <paramref name="body"/> is valid: read it here, do not keep it. Keep the work short: the next response waits.
    /// </summary>
    /// <param name="status">The HTTP status code (1xx interim responses are skipped and never reported).</param>
    /// <param name="body">The response body, de-chunked; may span several segments.</param>
    /// <param name="state">The state passed to <see cref="PipelinedHttpConnection.SendAsync"/>.</param>
    void OnResponse(int status, ReadOnlySequence<byte> body, object? state);

    /// <summary>
    /// The request got no response: the connection was reset or closed or timed out with it in flight, or it had
    /// already failed before the request was sent. <paramref name="reason"/> is <see cref="TxOutcome.ConnectionLost"/>.
    /// May be called on any thread (reader loop, timer, disposer, or the sender itself).
    /// </summary>
    void OnFailure(TxOutcome reason, string message, object? state);
}
