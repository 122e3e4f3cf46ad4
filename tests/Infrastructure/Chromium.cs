using System.Diagnostics;
using System.IO.Compression;
using System.Buffers.Binary;

namespace FastLoad.Tests.Infrastructure;

/// <summary>Headless Chromium (installed by <c>native/install.sh --with-chromium</c>, which test.sh runs): DOM dumps and screenshots of local files.</summary>
public static class Chromium
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("FASTLOAD_CHROMIUM") is { Length: > 0 } env) return env;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in (ReadOnlySpan<string>)["chromium", "chromium-browser"])
            {
                string candidate = System.IO.Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new InvalidOperationException("chromium not found: run native/install.sh --with-chromium (test.sh does), or set FASTLOAD_CHROMIUM");
    }

    /// <summary>Loads <paramref name="htmlFile"/> and returns the DOM after its scripts ran.</summary>
    public static async Task<string> DumpDomAsync(string htmlFile) =>
        (await RunAsync("--dump-dom", "--virtual-time-budget=5000", new Uri(htmlFile).AbsoluteUri)).StdOut;

    /// <summary>Writes a PNG of <paramref name="htmlFile"/> at the given window size.</summary>
    public static async Task ScreenshotAsync(string htmlFile, string png, int width, int height)
    {
        ProcessResult r = await RunAsync($"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(htmlFile).AbsoluteUri);
        if (!File.Exists(png)) throw new InvalidOperationException($"chromium wrote no screenshot (exit {r.ExitCode}): {r.StdErr}");
    }

    private static async Task<ProcessResult> RunAsync(params string[] args)
    {
        string profile = Directory.CreateTempSubdirectory("fastload-chromium-").FullName;
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Never touch the network: no sandbox (we run as root in CI), no GPU, no background fetches, no first-run UI.
        foreach (string a in (ReadOnlySpan<string>)["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
                     "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio", $"--user-data-dir={profile}"])
            start.ArgumentList.Add(a);
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Decodes an 8-bit RGB/RGBA PNG (what Chromium writes) and returns (pixels, pixels unlike the top-left one, distinct colours).</summary>
    public static (long Pixels, long NotBackground, int Colours) PngStats(string png)
    {
        byte[] file = File.ReadAllBytes(png);
        if (file.Length < 8 || !file.AsSpan(0, 8).SequenceEqual((ReadOnlySpan<byte>)[137, 80, 78, 71, 13, 10, 26, 10])) throw new InvalidDataException("not a PNG");
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (int at = 8; at + 8 <= file.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            string type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
            ReadOnlySpan<byte> data = file.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0) throw new InvalidDataException("only 8-bit non-interlaced PNGs");
                channels = data[9] switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"PNG colour type {data[9]}") };
            }
            else if (type == "IDAT") idat.Write(data);
            at += 12 + length;
        }
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        int stride = width * channels;
        byte[] prev = new byte[stride], row = new byte[stride];
        var colours = new HashSet<int>();
        long notBackground = 0;
        int background = -1;
        for (int y = 0; y < height; y++)
        {
            int filter = z.ReadByte();
            z.ReadExactly(row);
            for (int i = 0; i < stride; i++)
            {
                int a = i >= channels ? row[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
                int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                row[i] = (byte)(row[i] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => pa <= pb && pa <= pc ? a : pb <= pc ? b : c,
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                });
            }
            for (int x = 0; x < width; x++)
            {
                int rgb = row[x * channels] << 16 | row[x * channels + 1] << 8 | row[x * channels + 2];
                if (background < 0) background = rgb;
                if (rgb != background) notBackground++;
                if (colours.Count < 100_000) colours.Add(rgb);
            }
            (prev, row) = (row, prev);
        }
        return ((long)width * height, notBackground, colours.Count);
    }
}
