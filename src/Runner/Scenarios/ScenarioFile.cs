using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FastLoad.Runner.Scenarios;

/// <summary>A problem in a scenario file, at a line and column (1-based).</summary>
public sealed record ScenarioError(int Line, int Column, string Message)
{
    public string Format(string file) => $"{file}:{Line}:{Column}: {Message}";
}

/// <summary>One phase: a shape held for a duration (or, for a single phase, a count).</summary>
public sealed record ScenarioPhase(string Name, string Shape, double? Rate, string? Duration, long? Count, int Line);

/// <summary>
/// A scenario file read and checked: what `fastload run FILE.yaml` runs. Every key maps to a `fastload run` flag
/// (<see cref="ToRunArgs"/>), so the flags' own checks and defaults apply, and a flag given on the command line
/// overrides the file's value.
/// </summary>
public sealed class ScenarioFile
{
    public required string Path { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public required IReadOnlyList<ScenarioPhase> Phases { get; init; }

    /// <summary>The file's settings as `fastload run` flags (without the phases), in file order.</summary>
    public required IReadOnlyList<(string Flag, string? Value)> Flags { get; init; }

    /// <summary>
    /// The `fastload run` arguments: the file's flags and its phase, minus any flag the command line gives itself
    /// (<paramref name="commandLine"/> wins), followed by the command line.
    /// </summary>
    public string[] ToRunArgs(IReadOnlyList<string> commandLine)
    {
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (string arg in commandLine)
        {
            if (!arg.StartsWith('-')) continue;
            int eq = arg.IndexOf('=');
            string name = eq > 0 ? arg[..eq] : arg;
            given.Add(Canonical(name));
        }
        var args = new List<string>();
        void Add(string flag, string? value)
        {
            if (given.Contains(flag)) return;
            // A shape, rate or phase list from the command line replaces the file's whole phase (a rate alone would not fit a ramp).
            if (flag is "--shape" or "--rate" && (given.Contains("--shape") || given.Contains("--rate") || given.Contains("--max") || given.Contains("--phase"))) return;
            args.Add(flag);
            if (value is not null) args.Add(value);
        }
        foreach ((string flag, string? value) in Flags) Add(flag, value);
        if (Phases.Count > 1)
        {
            // Several phases: one --phase each, unless the command line gives the run's shape itself.
            if (!given.Contains("--phase") && !given.Contains("--shape") && !given.Contains("--rate") && !given.Contains("--max"))
            {
                foreach (ScenarioPhase phase in Phases)
                {
                    string rate = phase.Rate is double r ? "@" + r.ToString("R", CultureInfo.InvariantCulture) : "";
                    args.Add("--phase");
                    args.Add($"{phase.Name}={phase.Shape}{rate}/{phase.Duration}");
                }
            }
        }
        else
        {
            ScenarioPhase phase = Phases[0];
            Add("--shape", phase.Shape);
            if (phase.Rate is double rate) Add("--rate", rate.ToString("R", CultureInfo.InvariantCulture));
            if (phase.Duration is not null && !given.Contains("--count")) Add("--duration", phase.Duration);
            if (phase.Count is long count && !given.Contains("--duration")) Add("--count", count.ToString(CultureInfo.InvariantCulture));
        }
        args.AddRange(commandLine);
        return [.. args];
    }

    private static string Canonical(string flag) => flag switch
    {
        "-d" => "--duration",
        "-n" => "--count",
        "-w" => "--wallets",
        "-o" => "--out",
        "-q" => "--quiet",
        _ => flag,
    };

    /// <summary>Reads and checks <paramref name="path"/>: the scenario, or every problem found (line-numbered).</summary>
    public static (ScenarioFile? Scenario, IReadOnlyList<ScenarioError> Errors) Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, [new ScenarioError(1, 1, $"cannot read the file: {e.Message}")]);
        }
        return Parse(path, text);
    }

    public static (ScenarioFile? Scenario, IReadOnlyList<ScenarioError> Errors) Parse(string path, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            string message = e.InnerException is YamlException inner ? inner.Message : e.Message;
            return (null, [new ScenarioError((int)e.Start.Line, (int)e.Start.Column, $"not valid YAML: {Trim(message)}")]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            YamlNode? node = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            return (null, [At(node, "a scenario is a YAML mapping (name:, phases:, ...): see scenarios/smoke.yaml")]);
        }
        if (stream.Documents.Count > 1) return (null, [At(stream.Documents[1].RootNode, "one scenario per file: remove the second document (after ---)")]);
        var reader = new Reader();
        return reader.Read(path, root);
    }

    private static string Trim(string message) => message.TrimEnd('.');

    private static ScenarioError At(YamlNode? node, string message) =>
        node is null ? new ScenarioError(1, 1, message) : new ScenarioError((int)node.Start.Line, (int)node.Start.Column, message);

    /// <summary>Walks the mapping, collecting every error rather than stopping at the first.</summary>
    private sealed class Reader
    {
        private readonly List<ScenarioError> _errors = [];
        private readonly List<(string, string?)> _flags = [];
        private readonly List<(YamlNode Node, string Key)> _readTargets = []; // expect.read_*: they need reads

        private static readonly string[] TopKeys =
            ["name", "description", "nodes", "ws", "block_time", "wallets", "seed", "tx_type", "funding", "workload", "setup", "phases", "reads", "send", "expect", "out", "node_timeout", "send_rpc", "confirm_ws"];

        public (ScenarioFile?, IReadOnlyList<ScenarioError>) Read(string path, YamlMappingNode root)
        {
            string? name = null, description = null;
            var phases = new List<ScenarioPhase>();
            YamlNode? phasesNode = null;
            YamlNode? readsNode = null;
            foreach ((YamlNode keyNode, YamlNode value) in root.Children)
            {
                string key = ((keyNode as YamlScalarNode)?.Value) ?? "";
                switch (key)
                {
                    case "name": name = Scalar(value, key); break;
                    case "description": description = Scalar(value, key); break;
                    case "nodes": Nodes(value); break;
                    case "ws":
                        if (value is YamlScalarNode { Value: "none" }) _flags.Add(("--ws", "none"));
                        else if (StringList(value, "ws") is { } ws) _flags.Add(("--ws", string.Join(',', ws)));
                        break;
                    case "send_rpc":
                        if (StringList(value, key) is { } send) _flags.Add(("--send-rpc", string.Join(',', send)));
                        break;
                    case "confirm_ws":
                        if (StringList(value, key) is { } streams) _flags.Add(("--confirm-ws", string.Join(',', streams)));
                        break;
                    case "block_time": Number(value, key, "--block-time", min: 0.001); break;
                    case "wallets": Integer(value, key, "--wallets", min: 1); break;
                    case "seed": Text(value, key, "--seed"); break;
                    case "tx_type":
                        if (Scalar(value, key) is { } type)
                        {
                            if (type is "legacy" or "2930" or "1559" or "7702") _flags.Add(("--tx-type", type));
                            else Error(value, $"tx_type '{type}' is not one of legacy, 2930, 1559, 7702");
                        }
                        break;
                    case "funding": Funding(value); break;
                    case "workload": Workload(value); break;
                    case "setup": Setup(value); break;
                    case "phases": phasesNode = value; Phases(value, phases); break;
                    case "reads": readsNode = value; Reads(value); break;
                    case "send": Send(value); break;
                    case "expect": Expect(value); break;
                    case "out": Text(value, key, "--out"); break;
                    case "node_timeout": Duration(value, key, "--node-timeout"); break;
                    default:
                        Error(keyNode, $"unknown key '{key}': a scenario has {string.Join(", ", TopKeys)}");
                        break;
                }
            }
            if (phasesNode is null) Error(root, "no phases: add e.g. `phases: [{ shape: constant, rate: 100, duration: 30s }]`");
            foreach ((YamlNode target, string key) in _readTargets)
                if (readsNode is null) Error(target, $"expect.{key} judges read traffic: add `reads: {{ rate: R }}` (reads/s)");
            if (phases.Count > 1)
            {
                foreach (ScenarioPhase phase in phases)
                    if (phase.Duration is null) _errors.Add(new ScenarioError(phase.Line, 1, $"phase '{phase.Name}' needs a duration: only a scenario's single phase may end by count"));
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (ScenarioPhase phase in phases)
                    if (!names.Add(phase.Name)) _errors.Add(new ScenarioError(phase.Line, 1, $"two phases are named '{phase.Name}': give each its own name"));
            }
            if (_errors.Count > 0) return (null, _errors);
            return (new ScenarioFile { Path = path, Name = name, Description = description, Phases = phases, Flags = _flags }, _errors);
        }

        private void Error(YamlNode node, string message) => _errors.Add(At(node, message));

        private string? Scalar(YamlNode node, string key)
        {
            if (node is YamlScalarNode scalar && scalar.Value is { Length: > 0 } value) return value;
            Error(node, $"{key}: expected a value, found {Describe(node)}");
            return null;
        }

        private static string Describe(YamlNode node) => node switch
        {
            YamlMappingNode => "a mapping",
            YamlSequenceNode => "a list",
            YamlScalarNode { Value: null or "" } => "nothing",
            _ => "something else",
        };

        private void Text(YamlNode node, string key, string flag)
        {
            if (Scalar(node, key) is { } value) _flags.Add((flag, value));
        }

        private double? Number(YamlNode node, string key, string? flag, double min = 0, double max = double.MaxValue)
        {
            if (Scalar(node, key) is not { } text) return null;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                Error(node, $"{key}: '{text}' is not a number");
                return null;
            }
            if (value < min || value > max)
            {
                Error(node, max == double.MaxValue ? $"{key}: {text} is below {min.ToString(CultureInfo.InvariantCulture)}" : $"{key}: {text} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
                return null;
            }
            if (flag is not null) _flags.Add((flag, value.ToString("R", CultureInfo.InvariantCulture)));
            return value;
        }

        private long? Integer(YamlNode node, string key, string? flag, long min)
        {
            if (Scalar(node, key) is not { } text) return null;
            if (!long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
            {
                Error(node, $"{key}: '{text}' is not a whole number");
                return null;
            }
            if (value < min)
            {
                Error(node, $"{key}: {text} is below {min.ToString(CultureInfo.InvariantCulture)}");
                return null;
            }
            if (flag is not null) _flags.Add((flag, value.ToString(CultureInfo.InvariantCulture)));
            return value;
        }

        private string? Duration(YamlNode node, string key, string? flag)
        {
            if (Scalar(node, key) is not { } text) return null;
            try
            {
                TimeSpan value = Commands.RunCommand.ParseDuration(text, key);
                if (value <= TimeSpan.Zero) throw new ArgumentException($"{key} must be positive");
            }
            catch (ArgumentException e)
            {
                Error(node, e.Message);
                return null;
            }
            if (flag is not null) _flags.Add((flag, text));
            return text;
        }

        private List<string>? StringList(YamlNode node, string key)
        {
            if (node is YamlScalarNode) return Scalar(node, key) is { } one ? [one] : null;
            if (node is not YamlSequenceNode list)
            {
                Error(node, $"{key}: expected a list, found {Describe(node)}");
                return null;
            }
            var values = new List<string>();
            foreach (YamlNode item in list) if (Scalar(item, key) is { } value) values.Add(value);
            return values;
        }

        private void Nodes(YamlNode node)
        {
            if (StringList(node, "nodes") is not { } urls) return;
            if (urls.Count == 0) { Error(node, "nodes: the list is empty (leave nodes out to start a local anvil)"); return; }
            foreach (string url in urls)
                if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
                    Error(node, $"nodes: '{url}' is not an http:// or https:// URL");
            _flags.Add(("--rpc", string.Join(',', urls)));
        }

        private YamlMappingNode? Mapping(YamlNode node, string key, params string[] keys)
        {
            if (node is not YamlMappingNode mapping)
            {
                Error(node, $"{key}: expected a mapping ({string.Join(", ", keys)}), found {Describe(node)}");
                return null;
            }
            foreach ((YamlNode k, _) in mapping.Children)
            {
                string name = (k as YamlScalarNode)?.Value ?? "";
                if (Array.IndexOf(keys, name) < 0) Error(k, $"{key}: unknown key '{name}': use {string.Join(", ", keys)}");
            }
            return mapping;
        }

        private static YamlNode? Get(YamlMappingNode mapping, string key) =>
            mapping.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) ? value : null;

        private void Funding(YamlNode node)
        {
            if (Mapping(node, "funding", "key_file", "mnemonic_file", "index") is not { } map) return;
            YamlNode? keyFile = Get(map, "key_file"), mnemonic = Get(map, "mnemonic_file"), index = Get(map, "index");
            if (keyFile is not null && mnemonic is not null) Error(mnemonic, "funding: key_file and mnemonic_file exclude each other: pick one");
            if (keyFile is not null) Text(keyFile, "funding.key_file", "--funder-key-file");
            if (mnemonic is not null) Text(mnemonic, "funding.mnemonic_file", "--funder-mnemonic-file");
            if (index is not null)
            {
                if (mnemonic is null) Error(index, "funding.index applies to mnemonic_file: add it, or remove index");
                Integer(index, "funding.index", "--funder-index", min: 0);
            }
        }

        /// <summary>
        /// `workload: erc20`, `workload: gas:60000`, weighted token ops `workload: { mix: { mint: 50, burn: 30, transfer: 20 } }`,
        /// or several workloads by weight, a list: `workload: [ { name: transfer, weight: 70 }, { name: erc20, weight: 30 } ]`.
        /// </summary>
        private void Workload(YamlNode node)
        {
            if (node is YamlScalarNode)
            {
                if (Scalar(node, "workload") is { } text) CheckWorkload(node, text);
                return;
            }
            if (node is YamlSequenceNode list)
            {
                if (list.Children.Count < 2)
                {
                    Error(node, "workload: a list mixes two or more workloads by weight, e.g. [ { name: transfer, weight: 70 }, { name: erc20, weight: 30 } ]; give one workload as workload: NAME");
                    return;
                }
                var parts = new List<string>();
                for (int i = 0; i < list.Children.Count; i++)
                {
                    string where = $"workload[{i}]";
                    if (Mapping(list.Children[i], where, "name", "weight") is not { } part) continue;
                    YamlNode? nameNode = Get(part, "name");
                    string? name = nameNode is null ? null : Scalar(nameNode, where + ".name");
                    if (nameNode is null || name is null) { Error(part, $"{where}: give its name, e.g. {{ name: erc20, weight: 30 }}"); continue; }
                    if (name.Contains('+') || name.Contains('@')) { Error(nameNode, $"{where}.name: one workload per entry (no + or @): give the weight as weight: N"); continue; }
                    double weight = 1;
                    if (Get(part, "weight") is { } w)
                    {
                        if (Number(w, where + ".weight", null, min: 1) is not double value) continue;
                        if (value != Math.Floor(value) || value > 1_000_000) { Error(w, $"{where}.weight: give a whole number from 1 to 1000000"); continue; }
                        weight = value;
                    }
                    parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name}@{weight:0}"));
                }
                if (parts.Count == list.Children.Count) CheckWorkload(node, string.Join('+', parts));
                return;
            }
            if (node is YamlMappingNode { Children.Count: 1 } map && map.Children.First() is var (k, v) && (k as YamlScalarNode)?.Value == "mix")
            {
                if (v is not YamlMappingNode weights || weights.Children.Count == 0)
                {
                    Error(v, "workload.mix: expected op weights, e.g. { mint: 50, burn: 30, transfer: 20 }");
                    return;
                }
                var parts = new List<string>();
                foreach ((YamlNode op, YamlNode weight) in weights.Children)
                {
                    string opName = (op as YamlScalarNode)?.Value ?? "";
                    if (opName is not ("mint" or "burn" or "transfer")) { Error(op, $"workload.mix: unknown op '{opName}': use mint, burn, transfer"); continue; }
                    if (Number(weight, $"workload.mix.{opName}", null, min: 0) is double w) parts.Add($"{opName}={w.ToString("R", CultureInfo.InvariantCulture)}");
                }
                _flags.Add(("--workload", "mix:" + string.Join(',', parts)));
                return;
            }
            Error(node, "workload: give a name (transfer, erc20, deploy, gas:N, storage:N, call:ADDR:SIG, mix:mint=50,burn=30,transfer=20) or { mix: { mint: 50, burn: 30, transfer: 20 } }");
        }

        /// <summary>Parses the workload as --workload would, so `scenario check` catches a bad one with its line.</summary>
        private void CheckWorkload(YamlNode node, string text)
        {
            try
            {
                Engine.Workloads.WorkloadSpec.Parse(text);
                _flags.Add(("--workload", text));
            }
            catch (ArgumentException e)
            {
                Error(node, $"workload: {Trim(e.Message)}");
            }
        }

        private void Setup(YamlNode node)
        {
            if (Mapping(node, "setup", "reuse", "ledger_sample") is not { } map) return;
            if (Get(map, "reuse") is { } reuse) Text(reuse, "setup.reuse", "--reuse-setup");
            if (Get(map, "ledger_sample") is { } sample) Integer(sample, "setup.ledger_sample", "--ledger-sample", min: 1);
        }

        private void Reads(YamlNode node)
        {
            if (Mapping(node, "reads", "rate", "method") is not { } map) return;
            if (Get(map, "rate") is { } rate) Number(rate, "reads.rate", "--read-rate", min: 0.001);
            else Error(node, "reads: give a rate (reads per second)");
            if (Get(map, "method") is { } method && Scalar(method, "reads.method") is { } m)
            {
                if (m is "eth_call" or "eth_getBalance" or "eth_blockNumber" or "eth_getTransactionReceipt") _flags.Add(("--read-method", m));
                else Error(method, $"reads.method '{m}' is not one of eth_call, eth_getBalance, eth_blockNumber, eth_getTransactionReceipt");
            }
        }

        private void Send(YamlNode node)
        {
            if (Mapping(node, "send", "batch", "connections", "pipelining", "signers", "node_choice") is not { } map) return;
            if (Get(map, "batch") is { } batch) Integer(batch, "send.batch", "--batch", min: 1);
            if (Get(map, "connections") is { } connections) Integer(connections, "send.connections", "--connections", min: 1);
            if (Get(map, "pipelining") is { } pipelining) Integer(pipelining, "send.pipelining", "--pipelining", min: 1);
            if (Get(map, "signers") is { } signers) Integer(signers, "send.signers", "--signers", min: 1);
            if (Get(map, "node_choice") is { } choice && Scalar(choice, "send.node_choice") is { } c)
            {
                if (c is "affinity" or "round-robin") _flags.Add(("--node-choice", c));
                else Error(choice, $"send.node_choice '{c}' is not affinity or round-robin");
            }
        }

        private void Expect(YamlNode node)
        {
            if (Mapping(node, "expect", "tps", "success", "ack_p99_ms", "inclusion_p99_ms", "read_success", "read_p99_ms") is not { } map) return;
            if (Get(map, "tps") is { } tps) Number(tps, "expect.tps", "--expect-tps", min: 0.001);
            if (Get(map, "success") is { } success) Number(success, "expect.success", "--expect-success", min: 0.001, max: 100);
            if (Get(map, "ack_p99_ms") is { } ack) Number(ack, "expect.ack_p99_ms", "--expect-p99-ms", min: 0.001);
            if (Get(map, "inclusion_p99_ms") is { } inclusion) Number(inclusion, "expect.inclusion_p99_ms", "--expect-inclusion-p99-ms", min: 0.001);
            if (Get(map, "read_success") is { } readSuccess)
            {
                Number(readSuccess, "expect.read_success", "--expect-read-success", min: 0.001, max: 100);
                _readTargets.Add((readSuccess, "read_success"));
            }
            if (Get(map, "read_p99_ms") is { } readP99)
            {
                Number(readP99, "expect.read_p99_ms", "--expect-read-p99-ms", min: 0.001);
                _readTargets.Add((readP99, "read_p99_ms"));
            }
        }

        private void Phases(YamlNode node, List<ScenarioPhase> phases)
        {
            if (node is not YamlSequenceNode list || list.Children.Count == 0)
            {
                Error(node, "phases: expected a list of phases, e.g. `- { shape: constant, rate: 100, duration: 30s }`");
                return;
            }
            int index = 0;
            foreach (YamlNode item in list)
            {
                index++;
                if (Mapping(item, $"phases[{index}]", "name", "shape", "rate", "duration", "count") is not { } map) continue;
                string name = Get(map, "name") is { } n ? Scalar(n, "phase name") ?? $"phase-{index}" : $"phase-{index}";
                if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9_.-]+$"))
                    Error(Get(map, "name")!, $"phases[{index}].name '{name}': use letters, digits, '-', '_' or '.'");
                string shape = Get(map, "shape") is { } s ? Scalar(s, $"phases[{index}].shape") ?? "constant" : "constant";
                string shapeName = shape.Split(':')[0];
                double? rate = Get(map, "rate") is { } r ? Number(r, $"phases[{index}].rate", null, min: 0.001) : null;
                if (rate is not null && shapeName is not ("constant" or "poisson"))
                    Error(Get(map, "rate")!, $"phases[{index}].rate does not apply to shape {shape}: its rates are in the shape itself (e.g. ramp:100..1000)");
                if (rate is null && shapeName is "constant" or "poisson" && Get(map, "rate") is null)
                    Error(item, $"phases[{index}] ({shapeName}) needs a rate (tx/s)");
                string? duration = Get(map, "duration") is { } d ? Duration(d, $"phases[{index}].duration", null) : null;
                long? count = Get(map, "count") is { } c ? Integer(c, $"phases[{index}].count", null, min: 1) : null;
                if (Get(map, "duration") is not null && Get(map, "count") is not null) Error(item, $"phases[{index}]: duration and count exclude each other: pick one");
                if (Get(map, "duration") is null && Get(map, "count") is null && shapeName != "steps") Error(item, $"phases[{index}]: give a duration (e.g. 30s) or a count");
                try
                {
                    TimeSpan? span = duration is null ? null : Commands.RunCommand.ParseDuration(duration, "duration");
                    Engine.Shapes.LoadShape.Parse(shape, rate ?? 1, span, 1);
                }
                catch (ArgumentException e)
                {
                    Error(Get(map, "shape") ?? item, $"phases[{index}].shape: {e.Message}");
                }
                if (list.Children.Count > 1 && shapeName is "poisson" or "per-block")
                    Error(Get(map, "shape") ?? item, $"phases[{index}].shape {shapeName} cannot be one phase of several (it is not a fixed schedule): use constant, ramp, steps or burst, or make it the only phase");
                phases.Add(new ScenarioPhase(name, shape, rate, duration, count, (int)item.Start.Line));
            }
        }
    }
}
