namespace FastLoad.Engine.Rpc;

/// <summary>The node answered with a JSON-RPC error object.</summary>
public sealed class RpcException : Exception
{
    public RpcException(int code, string message, string? data = null)
        : base(data is null ? $"{message} (code {code})" : $"{message} (code {code}, data {data})")
    {
        Code = code;
        RpcMessage = message;
        RpcData = data;
    }

    /// <summary>The JSON-RPC error code, e.g. -32000.</summary>
    public int Code { get; }

    /// <summary>The node's own message, e.g. "nonce too low".</summary>
    public string RpcMessage { get; }

    /// <summary>The raw JSON of the error's <c>data</c> member, if any.</summary>
    public string? RpcData { get; }

    /// <summary>The error classified with <see cref="ErrorClassifier"/>.</summary>
    public TxOutcome Outcome => ErrorClassifier.Classify(Code, RpcMessage);
}
