using BenchmarkDotNet.Running;
using FastLoad.Benchmarks;
using FastLoad.Benchmarks.Macro;

// Macro harnesses by name; everything else goes to BenchmarkDotNet (use --filter to pick).
if (args.Length > 0 && args[0] == "sign-ratio")
    return SignRatio.Run(args[1..]);
if (args.Length > 0 && args[0] == "send-alloc")
    return SendAllocation.Run(args[1..]);
if (args.Length > 0 && args[0] == "sign-requests")
    return SignRequests.Run(args[1..]);
if (args.Length > 0 && args[0] == "latency-error")
    return LatencyError.Run(args[1..]);
if (args.Length > 0 && args[0] == "sign-binding")
    return SignBindingRatio.Run(args[1..]);
if (args.Length > 0 && args[0] == "compare")
    return BenchCompare.Run(args[1..]);
if (args.Length > 0 && args[0] == "alloc-check")
    return AllocCheck.Run(args[1..]);
if (args.Length > 0 && args[0] == "append-ratio")
    return AppendRatio.Run(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(args, BenchConfig.Create());
return 0;
