using System.Globalization;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Workloads.Tokens;

namespace FastLoad.Engine.Workloads;

/// <summary>A parsed <c>--workload NAME[:ARGS]</c>; <see cref="Create"/> makes the workload once chain and fees are known.</summary>
public sealed record WorkloadSpec
{
    public static readonly WorkloadSpec Transfer = new() { Name = "transfer" };

    /// <summary>transfer | erc20 | mix | deploy | gas | storage | call | weighted (<see cref="Parts"/>).</summary>
    public required string Name { get; init; }

    /// <summary>What follows call: (checked by <see cref="Contracts.CallWorkload.Parse"/>).</summary>
    public string? CallArgs { get; init; }

    /// <summary>storage:N's N.</summary>
    public int Slots { get; init; }

    /// <summary>gas:N's N.</summary>
    public ulong Gas { get; init; }

    /// <summary>mix weights (mint, burn, transfer).</summary>
    public (int Mint, int Burn, int Transfer) Weights { get; init; }

    /// <summary>A weighted workload's parts (<c>transfer@70+erc20@30</c>): each a workload of its own and its weight.</summary>
    public IReadOnlyList<(WorkloadSpec Spec, int Weight)> Parts { get; init; } = [];

    /// <summary>
    /// Benchmarks only: a token workload uses this address as its already deployed token and skips its set-up (for a
    /// sink, which is no chain). Never set by the CLI.
    /// </summary>
    public Address? PresetToken { get; init; }

    /// <summary>The normalised text (what the results record).</summary>
    public string Text => Name switch
    {
        "mix" => string.Create(CultureInfo.InvariantCulture, $"mix:mint={Weights.Mint},burn={Weights.Burn},transfer={Weights.Transfer}"),
        "gas" => string.Create(CultureInfo.InvariantCulture, $"gas:{Gas}"),
        "storage" => string.Create(CultureInfo.InvariantCulture, $"storage:{Slots}"),
        "call" => Contracts.CallWorkload.Parse("call:" + CallArgs, CallArgs!).Spec,
        "weighted" => string.Join('+', Parts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Spec.Text}@{p.Weight}"))),
        _ => Name,
    };

    public bool IsTransfer => Name == "transfer";

    /// <summary>Its set-up sends txs from the funder (deploys, role grants, mints): erc20, mix, gas:N, storage:N, or a weighted workload with one of them.</summary>
    public bool SetsUpFromFunder => Name is "erc20" or "mix" or "gas" or "storage" || Parts.Any(p => p.Spec.SetsUpFromFunder);

    /// <summary>Its check reads receipts (gas, call), so receipts are fetched for every tx unless --receipts says otherwise.</summary>
    public bool NeedsReceipts => Name is "gas" or "call" || Parts.Any(p => p.Spec.NeedsReceipts);

    /// <summary>
    /// Parses <c>--workload</c>: one workload (<c>NAME[:ARGS]</c>), or several mixed by weight, joined by <c>+</c>, each
    /// with <c>@WEIGHT</c> (a whole number; 1 when left out): <c>transfer@70+erc20@20+gas:100000@10</c>.
    /// </summary>
    public static WorkloadSpec Parse(string text)
    {
        const string Example = "e.g. transfer@70+erc20@20+gas:100000@10";
        // A '+' or '@' inside a call's quoted string argument is part of the string.
        string[] pieces = Abi.AbiCallTemplate.SplitOutside(text, '+').Select(p => p.Trim()).ToArray();
        if (pieces.Length == 1)
        {
            (string one, int? weight) = SplitWeight(text, pieces[0], Example);
            if (weight is not null) throw new ArgumentException($"--workload '{text}': a weight only means something between two or more workloads joined by +: {Example}");
            return ParseOne(one, one);
        }
        var parts = new List<(WorkloadSpec, int)>();
        var seen = new HashSet<string>();
        foreach (string piece in pieces)
        {
            if (piece.Length == 0) throw new ArgumentException($"--workload '{text}': an empty part between two +: {Example}");
            (string one, int? weight) = SplitWeight(text, piece, Example);
            WorkloadSpec spec = ParseOne(one, one);
            if (!seen.Add(spec.Text)) throw new ArgumentException($"--workload '{text}': {spec.Text} is given twice: give it once with the sum of the weights");
            parts.Add((spec, weight ?? 1));
        }
        return new WorkloadSpec { Name = "weighted", Parts = parts };
    }

    /// <summary>"gas:100000@30" → ("gas:100000", 30); no "@" → (piece, null).</summary>
    private static (string Spec, int? Weight) SplitWeight(string text, string piece, string example)
    {
        int at = Abi.AbiCallTemplate.LastIndexOutside(piece, '@');
        if (at < 0) return (piece, null);
        string w = piece[(at + 1)..].Trim();
        if (!int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out int weight) || weight < 1 || weight > 1_000_000)
            throw new ArgumentException($"--workload '{text}': '@{w}' in '{piece}' is not a weight (a whole number from 1 to 1,000,000): {example}");
        return (piece[..at].Trim(), weight);
    }

    private static WorkloadSpec ParseOne(string text, string piece)
    {
        string t = piece.Trim();
        int colon = t.IndexOf(':', StringComparison.Ordinal);
        string name = (colon < 0 ? t : t[..colon]).ToLowerInvariant();
        string? args = colon < 0 ? null : t[(colon + 1)..];
        switch (name)
        {
            case "transfer" or "erc20" or "deploy":
                if (args is not null) throw new ArgumentException($"--workload {name} takes no arguments (got '{text}'): use --workload {name}");
                return new WorkloadSpec { Name = name };
            case "mix":
                return new WorkloadSpec { Name = "mix", Weights = ParseWeights(text, args) };
            case "gas":
                if (args is null || !ulong.TryParse(args, NumberStyles.None, CultureInfo.InvariantCulture, out ulong gas) || gas < Contracts.GasWorkload.MinGas || gas > Contracts.GasWorkload.MaxGas)
                    throw new ArgumentException($"--workload '{text}': give gas:N, N the gas each tx uses, from {Contracts.GasWorkload.MinGas:N0} to {Contracts.GasWorkload.MaxGas:N0} (e.g. gas:100000)");
                return new WorkloadSpec { Name = "gas", Gas = gas };
            case "storage":
                if (args is null || !int.TryParse(args, NumberStyles.None, CultureInfo.InvariantCulture, out int slots) || slots < 1 || slots > Contracts.StorageWorkload.MaxSlots)
                    throw new ArgumentException($"--workload '{text}': give storage:N, N the new storage slots each tx writes, from 1 to {Contracts.StorageWorkload.MaxSlots:N0} (e.g. storage:10)");
                return new WorkloadSpec { Name = "storage", Slots = slots };
            case "call":
                if (args is null) throw new ArgumentException($"--workload call needs a contract and a call: e.g. call:0xTOKEN:transfer(address,uint256):{{wallet}},1");
                Contracts.CallWorkload.Parse(t, args); // fails fast with a one-line message
                return new WorkloadSpec { Name = "call", CallArgs = args };
            default:
                throw new ArgumentException($"--workload '{text}' is unknown: use transfer, erc20, mix:mint=50,burn=30,transfer=20, deploy, gas:N, storage:N or call:ADDR:SIG[:ARGS]");
        }
    }

    private static (int Mint, int Burn, int Transfer) ParseWeights(string text, string? args)
    {
        const string Example = "e.g. mix:mint=50,burn=30,transfer=20";
        if (string.IsNullOrWhiteSpace(args)) throw new ArgumentException($"--workload mix needs weights: {Example}");
        int mint = 0, burn = 0, transfer = 0;
        var seen = new HashSet<string>();
        foreach (string part in args.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] kv = part.Split('=', StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out int weight))
                throw new ArgumentException($"--workload '{text}': '{part}' is not op=weight (a whole number): {Example}");
            string op = kv[0].ToLowerInvariant();
            if (!seen.Add(op)) throw new ArgumentException($"--workload '{text}': {op} is given twice: {Example}");
            switch (op)
            {
                case "mint": mint = weight; break;
                case "burn": burn = weight; break;
                case "transfer": transfer = weight; break;
                default: throw new ArgumentException($"--workload '{text}': op '{kv[0]}' is unknown: mix takes mint, burn and transfer ({Example})");
            }
        }
        if (mint + burn + transfer <= 0) throw new ArgumentException($"--workload '{text}': the weights add up to 0: {Example}");
        return (mint, burn, transfer);
    }

    /// <summary>A one-line <see cref="ArgumentException"/> when the workload can't be sent as <paramref name="type"/>.</summary>
    public void EnsureFits(TxType type)
    {
        foreach ((WorkloadSpec part, _) in Parts) part.EnsureFits(type);
        if (Name == "deploy" && type == TxType.SetCode)
            throw new ArgumentException("--workload deploy sends contract creations, which an EIP-7702 tx can't be: use --tx-type 1559, 2930 or legacy");
    }

    /// <summary>The workload, for txs of <paramref name="type"/> on chain <paramref name="chainId"/> at <paramref name="gas"/>.</summary>
    public IWorkload Create(TxType type, UInt256 chainId, GasPricing gas) => Name switch
    {
        "erc20" => TokenWorkload.Erc20(),
        "mix" => TokenWorkload.Mix(Weights.Mint, Weights.Burn, Weights.Transfer),
        "deploy" => new Contracts.DeployWorkload(),
        "gas" => new Contracts.GasWorkload(Gas),
        "storage" => new Contracts.StorageWorkload(Slots),
        "call" => Contracts.CallWorkload.Parse("call:" + CallArgs, CallArgs!),
        "weighted" => new CompositeWorkload(Parts.Select(p => (p.Spec.Create(type, chainId, gas), p.Weight)).ToArray()),
        _ => new TransferWorkload(type, chainId, gas),
    };
}
