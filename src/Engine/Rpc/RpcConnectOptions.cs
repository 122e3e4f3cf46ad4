namespace FastLoad.Engine.Rpc;

/// <summary>What an endpoint needs besides its URL: extra request headers and, for https, how to trust the server.</summary>
public sealed record RpcConnectOptions
{
    public static readonly RpcConnectOptions None = new();

    /// <summary>Sent with every request (and the WebSocket upgrade), after Host and Content-Type.</summary>
    public IReadOnlyList<HttpHeader> Headers { get; init; } = [];

    /// <summary>How <c>https://</c> and <c>wss://</c> servers are trusted (default: the system's store).</summary>
    public TlsOptions Tls { get; init; } = TlsOptions.SystemTrust;
}

/// <summary>A header for every node (<see cref="Node"/> null) or for the node at that 0-based position of <c>--rpc</c>.</summary>
public readonly record struct NodeHeader(int? Node, HttpHeader Header)
{
    /// <summary>The headers that apply to node <paramref name="node"/>, in the order given.</summary>
    public static IReadOnlyList<HttpHeader> For(IReadOnlyList<NodeHeader> headers, int node)
    {
        var list = new List<HttpHeader>();
        foreach (NodeHeader h in headers)
        {
            if (h.Node is null || h.Node == node) list.Add(h.Header);
        }
        return list;
    }
}
