namespace FastLoad.Engine.Rpc;

/// <summary>
/// The node could not be reached or the HTTP exchange failed (refused, reset, timed out, not JSON-RPC).
/// The message is one line that names the endpoint, the problem and what to check.
/// </summary>
public sealed class RpcTransportException : Exception
{
    public RpcTransportException(string message) : base(message)
    {
    }

    public RpcTransportException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>How a request affected by this failure is classified.</summary>
    public TxOutcome Outcome { get; init; } = TxOutcome.ConnectionLost;
}
