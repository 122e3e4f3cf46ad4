namespace FastLoad.Engine.Rpc;

/// <summary>What happened to one <c>eth_sendRawTransaction</c>, classified into a small fixed set.</summary>
public enum TxOutcome : byte
{
    /// <summary>Not answered yet.</summary>
    Pending = 0,

    /// <summary>The node returned the tx hash.</summary>
    Accepted,

    /// <summary>"nonce too low" and kin: the nonce was already used.</summary>
    NonceTooLow,

    /// <summary>"nonce too high" / nonce gap beyond what the pool takes.</summary>
    NonceTooHigh,

    /// <summary>Fee below the pool's minimum, or a replacement without enough bump.</summary>
    Underpriced,

    /// <summary>The node already has this exact tx.</summary>
    AlreadyKnown,

    /// <summary>The sender cannot pay value + gas.</summary>
    InsufficientFunds,

    /// <summary>The pool is full.</summary>
    PoolFull,

    /// <summary>The node (or a proxy) asks us to slow down: HTTP 429 or a rate-limit error.</summary>
    RateLimited,

    /// <summary>An HTTP 5xx, or a response that is not valid JSON-RPC.</summary>
    ServerError,

    /// <summary>The connection dropped or timed out with the request in flight: the tx may or may not have landed.</summary>
    ConnectionLost,

    /// <summary>Any other JSON-RPC error.</summary>
    Other,

    /// <summary>The node answered the batch, but with nothing readable for this tx (malformed body, missing id): it may have landed.</summary>
    NoAnswer,
}
