using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// A real anvil on a free loopback port, started for a test and killed when disposed.
/// Its first dev account (funded) is <see cref="DevKey"/>.
/// </summary>
public sealed class AnvilNode : IAsyncDisposable
{
    public const string DevKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public const ulong ChainId = 31337;

    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private int _id;

    private AnvilNode(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<AnvilNode> StartAsync(params string[] extraArgs)
    {
        string anvil = TestPaths.NativeBin("anvil");
        if (!File.Exists(anvil)) throw new InvalidOperationException($"anvil not found at {anvil}: run native/install.sh");
        int port = FreePort();
        var start = new ProcessStartInfo(anvil)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--chain-id", ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        foreach (string arg in extraArgs) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new AnvilNode(process, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await node.CallAsync("eth_chainId");
                return node;
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Calls a JSON-RPC method; throws with the node's message on an error reply.</summary>
    public async Task<JsonNode?> CallAsync(string method, params object?[] parameters)
    {
        var request = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = Interlocked.Increment(ref _id),
            ["method"] = method,
            ["params"] = JsonSerializer.SerializeToNode(parameters),
        };
        using HttpResponseMessage response = await _http.PostAsJsonAsync(Url, request);
        JsonNode reply = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        if (reply["error"] is JsonNode error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        return reply["result"];
    }

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

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _http.Dispose();
    }
}
