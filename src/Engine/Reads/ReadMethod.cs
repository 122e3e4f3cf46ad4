namespace FastLoad.Engine.Reads;

/// <summary>The JSON-RPC read a run sends alongside its txs (<c>--read-method</c>). One byte; names in <see cref="ReadMethods"/>.</summary>
public enum ReadMethod : byte
{
    BlockNumber = 0,
    GetBalance = 1,
    Call = 2,
    GetTransactionReceipt = 3,
}

/// <summary>The one name table of <see cref="ReadMethod"/> (the CLI, the results' <c>read_methods</c> table, the summary).</summary>
public static class ReadMethods
{
    /// <summary>What <c>--read-method</c> is when not given: the cheapest read every node serves, so the figure is the node's RPC path itself.</summary>
    public const ReadMethod Default = ReadMethod.BlockNumber;

    public static IReadOnlyList<ReadMethod> All { get; } = Enum.GetValues<ReadMethod>();

    public static string Name(ReadMethod method) => method switch
    {
        ReadMethod.BlockNumber => "eth_blockNumber",
        ReadMethod.GetBalance => "eth_getBalance",
        ReadMethod.Call => "eth_call",
        ReadMethod.GetTransactionReceipt => "eth_getTransactionReceipt",
        _ => "other",
    };

    /// <summary>Parses a <c>--read-method</c> value; the message names the flag and the choices.</summary>
    public static ReadMethod Parse(string text)
    {
        foreach (ReadMethod method in All)
            if (string.Equals(Name(method), text.Trim(), StringComparison.OrdinalIgnoreCase)) return method;
        throw new ArgumentException($"--read-method '{text}' is unknown: use eth_blockNumber (default), eth_getBalance, eth_call or eth_getTransactionReceipt");
    }
}

/// <summary>What became of one read. One byte; names in <see cref="ReadOutcomes"/>.</summary>
public enum ReadOutcome : byte
{
    /// <summary>Answered with a result.</summary>
    Ok = 0,

    /// <summary>Answered with a JSON-RPC error.</summary>
    Error = 1,

    /// <summary>HTTP 429.</summary>
    RateLimited = 2,

    /// <summary>Another non-2xx HTTP status.</summary>
    HttpError = 3,

    /// <summary>The connection failed or timed out with the read in flight.</summary>
    ConnectionLost = 4,

    /// <summary>A 2xx answer with no readable result or error for it.</summary>
    NoAnswer = 5,
}

public static class ReadOutcomes
{
    public static IReadOnlyList<ReadOutcome> All { get; } = Enum.GetValues<ReadOutcome>();

    public static string Name(ReadOutcome outcome) => outcome switch
    {
        ReadOutcome.Ok => "ok",
        ReadOutcome.Error => "error",
        ReadOutcome.RateLimited => "rate_limited",
        ReadOutcome.HttpError => "http_error",
        ReadOutcome.ConnectionLost => "connection_lost",
        ReadOutcome.NoAnswer => "no_answer",
        _ => "other",
    };

    /// <summary>The tx outcome an error text of this read is filed under in the results' <c>errors</c> table.</summary>
    internal static Rpc.TxOutcome ErrorClass(ReadOutcome outcome) => outcome switch
    {
        ReadOutcome.RateLimited => Rpc.TxOutcome.RateLimited,
        ReadOutcome.HttpError => Rpc.TxOutcome.ServerError,
        ReadOutcome.ConnectionLost => Rpc.TxOutcome.ConnectionLost,
        ReadOutcome.NoAnswer => Rpc.TxOutcome.NoAnswer,
        _ => Rpc.TxOutcome.Other,
    };
}
