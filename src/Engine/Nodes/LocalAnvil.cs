using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FastLoad.Engine.Nodes;

/// <summary>
/// A local anvil dev node started by FastLoad on a free loopback port (the binary that
/// native/install.sh provides), killed on dispose. Its first dev account is funded.
/// </summary>
public sealed class LocalAnvil : IAsyncDisposable
{
    /// <summary>Anvil's first dev account key (public knowledge; funded with 10,000 ETH on every anvil).</summary>
    public const string DevKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    public const ulong DefaultChainId = 31337;

    private readonly Process _process;

    /// <summary>The anvil process's id (tests stop and resume it to play a node that hangs).</summary>
    public int ProcessId => _process.Id;

    private LocalAnvil(Process process, int port, ulong chainId)
    {
        _process = process;
        Port = port;
        ChainId = chainId;
    }

    public int Port { get; }

    public ulong ChainId { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>Path of the anvil binary, or a one-line error saying how to get it.</summary>
    public static string FindBinary()
    {
        string? env = Environment.GetEnvironmentVariable("FASTLOAD_ANVIL");
        if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "native", ".deps", "bin", "anvil");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("anvil not found: run native/install.sh (installs npm package @foundry-rs/anvil-linux-amd64), set FASTLOAD_ANVIL to its path, or pass --rpc URL of a running node");
    }

    /// <param name="blockTime">Seconds between blocks; 0 = mine each tx at once.</param>
    public static async Task<LocalAnvil> StartAsync(double blockTime = 1, ulong gasLimit = 1_000_000_000, ulong chainId = DefaultChainId,
        IEnumerable<string>? extraArgs = null, CancellationToken cancellation = default)
    {
        string binary = FindBinary();
        int port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--chain-id", chainId.ToString(CultureInfo.InvariantCulture),
            "--gas-limit", gasLimit.ToString(CultureInfo.InvariantCulture),
            "--silent",
        ];
        foreach (string arg in args) start.ArgumentList.Add(arg);
        if (blockTime > 0)
        {
            start.ArgumentList.Add("--block-time");
            start.ArgumentList.Add(blockTime.ToString(CultureInfo.InvariantCulture));
        }
        foreach (string arg in extraArgs ?? []) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        var stderr = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new LocalAnvil(process, port, chainId);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                string reason;
                lock (stderr) reason = stderr.ToString().Trim().Split('\n').LastOrDefault() ?? "";
                throw new InvalidOperationException($"anvil exited at start (code {process.ExitCode}): {reason}");
            }
            if (await IsListeningAsync(port).ConfigureAwait(false)) return node;
            if (waited.Elapsed > TimeSpan.FromSeconds(20))
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw new TimeoutException("anvil did not start listening within 20 s");
            }
            await Task.Delay(50, cancellation).ConfigureAwait(false);
        }
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A TCP port free on the loopback interface right now (for a node started next).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }
        catch (TimeoutException)
        {
        }
        _process.Dispose();
    }
}
