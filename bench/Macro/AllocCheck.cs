using System.Globalization;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace FastLoad.Benchmarks.Macro;

/// <summary>
/// <c>bench alloc-check [--baseline FILE] [--write-baseline FILE]</c>: the allocation-only quick form of the suite.
/// Every benchmark in category <see cref="HotPath.Category"/> is run in this process (its params, global and
/// iteration set-ups honoured), warmed up, then invoked again while the process's allocated bytes are counted;
/// bytes per operation (per <c>OperationsPerInvoke</c>) are compared with the committed baseline
/// (<c>bench/baseline/alloc.json</c>). Exit 1 when any hot-path benchmark allocates more than its baseline (by
/// <see cref="Tolerance"/> B/op or more: see <see cref="AllocatesMore"/>) or is missing from it. Seconds, not minutes: CI runs it on every
/// build, where timings are too noisy to gate on but allocations are exact.
/// </summary>
public static class AllocCheck
{
    public static int Run(string[] args)
    {
        string? baselinePath = null, writePath = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--baseline" when i + 1 < args.Length: baselinePath = args[++i]; break;
                case "--write-baseline" when i + 1 < args.Length: writePath = args[++i]; break;
                default:
                    Console.Error.WriteLine($"bench alloc-check: unknown argument '{args[i]}' (use --baseline FILE and/or --write-baseline FILE)");
                    return 2;
            }
        }
        Dictionary<string, double>? baseline = null;
        if (baselinePath is not null)
        {
            if (!File.Exists(baselinePath))
            {
                Console.Error.WriteLine($"bench alloc-check: baseline {baselinePath} does not exist (make one with --write-baseline)");
                return 2;
            }
            baseline = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(baselinePath))!;
        }

        var measured = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach ((string name, double bytesPerOp) in MeasureAll()) measured[name] = bytesPerOp;

        int failures = 0;
        Console.WriteLine($"{"hot-path benchmark",-72} {"B/op",8} {"baseline",9}  verdict");
        foreach ((string name, double bytes) in measured)
        {
            long rounded = (long)Math.Round(bytes);
            string verdict;
            string baseText = "";
            if (baseline is null) verdict = AllocatesMore(bytes, 0) ? "ALLOCATES" : "0 B";
            else if (!baseline.TryGetValue(name, out double b)) { verdict = "NEW (not in the baseline)"; failures++; }
            else
            {
                baseText = ((long)Math.Round(b)).ToString(CultureInfo.InvariantCulture);
                bool more = AllocatesMore(bytes, b);
                verdict = more ? "FAIL: allocates more than the baseline" : "ok";
                if (more) failures++;
            }
            Console.WriteLine($"{name,-72} {rounded,8} {baseText,9}  {verdict}");
        }
        if (baseline is not null)
        {
            foreach (string name in baseline.Keys)
            {
                if (measured.ContainsKey(name)) continue;
                Console.WriteLine($"{name,-72} {"-",8} {baseline[name],9}  FAIL: in the baseline but not run");
                failures++;
            }
        }
        if (writePath is not null)
        {
            var rounded = measured.ToDictionary(p => p.Key, p => Math.Round(p.Value));
            File.WriteAllText(writePath, JsonSerializer.Serialize(rounded, new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Console.WriteLine($"baseline written: {writePath}");
        }
        Console.WriteLine(failures == 0 ? $"alloc-check: {measured.Count} hot-path benchmarks, none allocates more than its baseline"
                                        : $"alloc-check: {failures} of {measured.Count} hot-path benchmarks FAIL");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// More than <paramref name="baseline"/> by a whole object: the smallest heap object is 24 B on x64, so an allocation
    /// per operation adds at least that; under <see cref="Tolerance"/> B/op is a per-invocation cost spread over many
    /// operations (an appender per million rows) or the runtime's own threads allocating while the counter ran.
    /// </summary>
    public static bool AllocatesMore(double bytesPerOp, double baseline) => bytesPerOp >= baseline + Tolerance;

    /// <summary>B/op above the baseline that count as allocating more.</summary>
    public const double Tolerance = 8;

    /// <summary>Each hot-path benchmark (every params combination): its name as BenchmarkDotNet shows it, and B/op.</summary>
    private static IEnumerable<(string Name, double BytesPerOp)> MeasureAll()
    {
        foreach (Type type in typeof(AllocCheck).Assembly.GetTypes())
        {
            if (type.IsAbstract || !type.IsClass) continue;
            MethodInfo[] methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null && IsHotPath(type, m)).ToArray();
            if (methods.Length == 0) continue;
            foreach (List<(PropertyInfo Property, object? Value)> combination in ParamCombinations(type))
            {
                object instance = Activator.CreateInstance(type)!;
                foreach ((PropertyInfo property, object? value) in combination) property.SetValue(instance, value);
                Invoke<GlobalSetupAttribute>(type, instance);
                try
                {
                    foreach (MethodInfo method in methods)
                    {
                        string parameters = combination.Count == 0 ? "" : " [" + string.Join(", ", combination.Select(c => $"{c.Property.Name}={c.Value}")) + "]";
                        yield return ($"{type.Name}.{method.Name}{parameters}", Measure(type, instance, method));
                    }
                }
                finally
                {
                    Invoke<GlobalCleanupAttribute>(type, instance);
                }
            }
        }
    }

    private static bool IsHotPath(Type type, MethodInfo method) =>
        (method.GetCustomAttribute<BenchmarkCategoryAttribute>()?.Categories ?? type.GetCustomAttribute<BenchmarkCategoryAttribute>()?.Categories ?? [])
        .Contains(HotPath.Category);

    private static double Measure(Type type, object instance, MethodInfo method)
    {
        int perInvoke = Math.Max(1, method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke);
        Action call = AsAction(instance, method); // a delegate: reflection's Invoke would box every return value
        Action setup = Hooks<IterationSetupAttribute>(type, instance), cleanup = Hooks<IterationCleanupAttribute>(type, instance);
        // Warm-up: the first calls JIT, load types and fill lazily made caches; a benchmark's steady state is what counts.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int warm = 0;
        do { setup(); call(); cleanup(); warm++; } while (warm < 3 || (clock.ElapsedMilliseconds < 200 && warm < 100_000));
        long invocations = Math.Max(2, Math.Min(1_000_000, warm * 2L));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long setupBytes = 0;
        for (long i = 0; i < invocations; i++)
        {
            // Iteration set-up and clean-up are outside BenchmarkDotNet's measurement too: their bytes are taken out.
            long s0 = GC.GetTotalAllocatedBytes(precise: true);
            setup();
            long s1 = GC.GetTotalAllocatedBytes(precise: true);
            call();
            long s2 = GC.GetTotalAllocatedBytes(precise: true);
            cleanup();
            setupBytes += (s1 - s0) + (GC.GetTotalAllocatedBytes(precise: true) - s2);
        }
        long total = GC.GetTotalAllocatedBytes(precise: true) - before - setupBytes;
        return Math.Max(0, total) / (double)(invocations * perInvoke);
    }

    private static Action AsAction(object instance, MethodInfo method)
    {
        if (method.ReturnType == typeof(void)) return method.CreateDelegate<Action>(instance);
        Delegate func = method.CreateDelegate(typeof(Func<>).MakeGenericType(method.ReturnType), instance);
        return (Action)typeof(AllocCheck).GetMethod(nameof(Discard), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.ReturnType).Invoke(null, [func])!;
    }

    private static Action Discard<T>(Func<T> func) => () => func();

    private static Action Hooks<TAttribute>(Type type, object instance) where TAttribute : Attribute
    {
        Action hooks = static () => { };
        foreach (MethodInfo m in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            if (m.GetCustomAttribute<TAttribute>() is not null) hooks += m.CreateDelegate<Action>(instance);
        return hooks;
    }

    private static void Invoke<TAttribute>(Type type, object instance) where TAttribute : Attribute => Hooks<TAttribute>(type, instance)();

    private static List<List<(PropertyInfo, object?)>> ParamCombinations(Type type)
    {
        var result = new List<List<(PropertyInfo, object?)>> { new() };
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<ParamsAttribute>() is not { } values) continue;
            var next = new List<List<(PropertyInfo, object?)>>();
            foreach (List<(PropertyInfo, object?)> partial in result)
                foreach (object? value in values.Values) next.Add([.. partial, (property, value)]);
            result = next;
        }
        return result;
    }
}

/// <summary>The benchmark category of FastLoad's hot paths: 0 B per operation, checked on every build (alloc-check).</summary>
public static class HotPath
{
    public const string Category = "hot-path";
}
