using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastLoad.Engine.Nodes;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// A real anvil on a free loopback port (started by the engine's <see cref="LocalAnvil"/>), killed
/// when disposed, with a plain JSON-RPC client for assertions. Its first dev account (funded) is <see cref="DevKey"/>.
/// </summary>
public sealed class AnvilNode : ITestNode
{
    public const string DevKey = LocalAnvil.DevKey;
    public const ulong ChainId = LocalAnvil.DefaultChainId;

    private readonly LocalAnvil _anvil;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private AnvilNode(LocalAnvil anvil) => _anvil = anvil;

    public string Name => "anvil";

    public Uri Url => _anvil.Url;

    /// <summary>The anvil process's id (to SIGSTOP it: a node that accepts connections and never answers).</summary>
    public int ProcessId => _anvil.ProcessId;

    /// <summary>Starts anvil mining each tx at once (or with --block-time N in <paramref name="extraArgs"/>).</summary>
    public static async Task<AnvilNode> StartAsync(params string[] extraArgs)
    {
        var node = new AnvilNode(await LocalAnvil.StartAsync(blockTime: 0, extraArgs: extraArgs));
        await node.CallAsync("eth_chainId");
        return node;
    }

    /// <summary>Starts anvil with blocks of at most <paramref name="gasLimit"/> gas (and <paramref name="extraArgs"/>, e.g. --block-time 1).</summary>
    public static async Task<AnvilNode> StartWithGasLimitAsync(ulong gasLimit, params string[] extraArgs)
    {
        var node = new AnvilNode(await LocalAnvil.StartAsync(blockTime: 0, gasLimit: gasLimit, extraArgs: extraArgs));
        await node.CallAsync("eth_chainId");
        return node;
    }

    /// <summary>Starts anvil as above, reporting <paramref name="chainId"/> (e.g. 1, to stand in for a public mainnet).</summary>
    public static async Task<AnvilNode> StartAsync(ulong chainId, params string[] extraArgs)
    {
        var node = new AnvilNode(await LocalAnvil.StartAsync(blockTime: 0, chainId: chainId, extraArgs: extraArgs));
        await node.CallAsync("eth_chainId");
        return node;
    }

    /// <summary>Calls a JSON-RPC method; throws <see cref="RpcErrorException"/> with the node's code and message on an error reply.</summary>
    public Task<JsonNode?> CallAsync(string method, params object?[] parameters) => TestRpc.CallAsync(_http, Url, method, parameters);

    /// <summary>Sends a raw tx and waits for its receipt (anvil mines instantly by default).</summary>
    public async Task<JsonNode> SendRawAndWaitAsync(string rawHex)
    {
        string hash = (await CallAsync("eth_sendRawTransaction", rawHex))!.GetValue<string>();
        for (int i = 0; i < 200; i++)
        {
            JsonNode? receipt = await CallAsync("eth_getTransactionReceipt", hash);
            if (receipt is not null) return receipt;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no receipt for {hash}");
    }

    /// <summary>Waits (200 ms steps, at most <paramref name="attempts"/>) until the pool holds no pending tx.</summary>
    public async Task WaitForEmptyPoolAsync(int attempts = 25)
    {
        for (int i = 0; i < attempts && (await CallAsync("txpool_status"))!["pending"]!.GetValue<string>() != "0x0"; i++) await Task.Delay(200);
    }

    public async ValueTask DisposeAsync()
    {
        await _anvil.DisposeAsync();
        _http.Dispose();
    }
}
