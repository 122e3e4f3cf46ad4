using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// A real hardhat 2 node (<c>hardhat node</c> with native/hardhat/hardhat.config.js: chain 31337, Prague, a block every
/// second) on a free loopback port, started through native/.deps/bin/hardhat-node and stopped on dispose (SIGTERM,
/// then the process tree is killed). Its first account is the anvil dev key, funded.
/// </summary>
public sealed class HardhatNode : ITestNode
{
    public const string DevKey = AnvilNode.DevKey;

    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private HardhatNode(Process process, int port)
    {
        _process = process;
        Url = new Uri($"http://127.0.0.1:{port}/");
    }

    public string Name => "hardhat";

    public Uri Url { get; }

    /// <summary>How long the last start took, to the first eth_chainId answer.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Path of the launcher native/install.sh writes, or a one-line error saying how to get it.</summary>
    public static string FindLauncher()
    {
        string path = TestPaths.NativeBin("hardhat-node");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} not found: run native/install.sh (installs hardhat from native/hardhat/package-lock.json)");
    }

    /// <summary>Starts the node and waits until it answers eth_chainId (at most <paramref name="startTimeout"/>, default 60 s).</summary>
    public static async Task<HardhatNode> StartAsync(TimeSpan? startTimeout = null)
    {
        string launcher = FindLauncher();
        int port = FastLoad.Engine.Nodes.LocalAnvil.FreePort();
        var start = new ProcessStartInfo(launcher) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--hostname", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {launcher}");
        // hardhat node logs every call on stdout: drain it, keep the last lines for a failed start.
        var tail = new Queue<string>();
        void Keep(string? line)
        {
            if (line is null) return;
            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > 20) tail.Dequeue();
            }
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new HardhatNode(process, port);
        TimeSpan limit = startTimeout ?? TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                string last;
                lock (tail) last = tail.LastOrDefault(l => l.Trim().Length > 0) ?? "";
                await node.DisposeAsync();
                throw new InvalidOperationException($"hardhat node exited at start (code {process.ExitCode}): {last}");
            }
            if (await node.AnswersChainIdAsync())
            {
                node.StartupTime = clock.Elapsed;
                return node;
            }
            if (clock.Elapsed > limit)
            {
                await node.DisposeAsync();
                throw new TimeoutException($"hardhat node did not answer eth_chainId within {limit.TotalSeconds:N0} s");
            }
            await Task.Delay(50);
        }
    }

    private async Task<bool> AnswersChainIdAsync()
    {
        try
        {
            return (await CallAsync("eth_chainId"))?.GetValue<string>() is { Length: > 2 };
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Calls a JSON-RPC method; throws <see cref="RpcErrorException"/> with the node's code and message on an error reply.</summary>
    public Task<JsonNode?> CallAsync(string method, params object?[] parameters) => TestRpc.CallAsync(_http, Url, method, parameters);

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM first (node exits at once); the tree kill is for a node that does not.
                _ = Kill(_process.Id, SigTerm);
                try
                {
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
                }
                catch (TimeoutException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (TimeoutException)
        {
        }
        _process.Dispose();
        _http.Dispose();
    }
}
