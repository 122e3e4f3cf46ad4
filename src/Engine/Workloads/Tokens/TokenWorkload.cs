using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads.Setup;

namespace FastLoad.Engine.Workloads.Tokens;

/// <summary>
/// ERC-20 load on <see cref="LoadToken"/>: <c>erc20</c> (transfers between the run's wallets) and
/// <c>mix:mint=W,burn=W,transfer=W</c> (weighted: a wallet mints to itself, burns its own tokens, or transfers to
/// another wallet; every wallet is given the minter role in set-up, so credits need no shared minter key and no
/// cross-wallet nonce coupling).
/// </summary>
/// <remarks>
/// <para>Each wallet's k-th tx (k counted from its nonce at the start of the run) is drawn from a hash of the wallet and
/// k: the op by weight, an amount, a recipient among the run's wallets. Debits never exceed what the wallet holds,
/// by construction: each wallet carries a floor — its balance at the start, plus its own mints, minus its own burns
/// and transfers out, over its txs before k. A wallet's txs run in nonce order, so when tx k runs all of 0..k-1 have
/// run; transfers in from other wallets only add. A debit bigger than the floor is cut to it; at a floor of 0 it
/// becomes a mint (<c>mix</c>) or a transfer of 0 (<c>erc20</c>, whose 1,000,000-token start balance against
/// transfers of at most 1 token makes that unreachable in practice).</para>
/// <para>The floor is kept per wallet between calls (owner thread only), so the next tx costs one hash; a wallet
/// sent back to an earlier nonce (a resync) replays its floor from the start. After the run the ledger check walks the
/// same sequence and applies the ops of the txs that were seen in blocks.</para>
/// </remarks>
public sealed class TokenWorkload : IWorkload
{
    private const int ChunkSize = 200; // wallets per set-up batch tx (mintBatch: ~9M gas)
    private static readonly Address FreshAddress = Address.Parse("0x00000000000000000000000000000000fa57f00d");

    private readonly int _mintWeight, _burnWeight, _transferWeight, _totalWeight;
    private readonly bool _walletsMint;
    private readonly UInt128 _initial, _unit;
    private readonly ulong _steps;

    // Set up once (SetupAsync), read by the signer threads.
    private Address _token;
    private Wallet[] _wallets = [];
    private int[] _localByIndex = [];
    private ulong[] _startNonce = [];
    private UInt128[] _startFloor = [];
    private BigInteger[] _startBalance = [];
    private Cursor[] _cursors = [];
    private ulong _gasTransfer, _gasMint, _gasBurn;
    private ulong _noncesPerTx = 1;
    private DeployedContract[] _contracts = [];
    private bool _ready;
    private bool _onChain; // false with a preset token (no chain to check against)

    private struct Cursor
    {
        public ulong Next;      // the k the floor is for
        public UInt128 Floor;   // the wallet's balance can't be below this before its tx Next
    }

    private TokenWorkload(string spec, int mint, int burn, int transfer, bool walletsMint, UInt128 initial, UInt128 unit, ulong steps)
    {
        Spec = spec;
        _mintWeight = mint;
        _burnWeight = burn;
        _transferWeight = transfer;
        _totalWeight = mint + burn + transfer;
        _walletsMint = walletsMint;
        _initial = initial;
        _unit = unit;
        _steps = steps;
    }

    private static readonly UInt128 Token = UInt128.Parse("1000000000000000000", CultureInfo.InvariantCulture);

    /// <summary><c>erc20</c>: the funder mints 1,000,000 tokens to every wallet; the load is transfers of 0.001 to 1 token between wallets.</summary>
    public static TokenWorkload Erc20() => new("erc20", 0, 0, 1, walletsMint: false, 1_000_000 * Token, Token / 1000, 1000);

    /// <summary><c>mix:mint=M,burn=B,transfer=T</c>: 1,000 tokens to every wallet in set-up; ops of 1 to 100 tokens.</summary>
    public static TokenWorkload Mix(int mint, int burn, int transfer)
    {
        if (mint < 0 || burn < 0 || transfer < 0 || mint + burn + transfer <= 0)
            throw new ArgumentException("--workload mix: weights are whole numbers >= 0 with a positive sum, e.g. mix:mint=50,burn=30,transfer=20");
        return new TokenWorkload(string.Create(CultureInfo.InvariantCulture, $"mix:mint={mint},burn={burn},transfer={transfer}"), mint, burn, transfer,
            walletsMint: true, 1_000 * Token, Token, 100);
    }

    public string Spec { get; }

    /// <summary>The token contract (after set-up).</summary>
    public Address TokenAddress => _token;

    public int MaxCalldataLength => LoadToken.AddressAmountLength;

    public ulong MaxGasLimit => Math.Max(_gasTransfer, Math.Max(_walletsMint ? _gasMint : 0, _burnWeight > 0 ? _gasBurn : 0));

    public UInt256 MaxValue => UInt256.Zero;

    public IReadOnlyList<DeployedContract> Contracts => _contracts;

    public bool NeedsInclusions => true;

    /// <summary>Gas limit of each op (after set-up): estimated once, +25 % and 10,000 (and 40,000 for an EIP-7702 authorization).</summary>
    public IReadOnlyList<(WorkloadOp Op, ulong GasLimit)> GasLimits =>
    [
        (WorkloadOp.Erc20Transfer, _gasTransfer),
        .. _walletsMint ? [(WorkloadOp.Mint, _gasMint)] : Array.Empty<(WorkloadOp, ulong)>(), // even at weight 0: a debit at a floor of 0 mints
        .. _burnWeight > 0 ? [(WorkloadOp.Burn, _gasBurn)] : Array.Empty<(WorkloadOp, ulong)>(),
    ];

    // ---- set-up (cold) --------------------------------------------------------------------------------------------

    public async Task SetupAsync(WorkloadSetup setup, CancellationToken cancel)
    {
        PrivateKey funder = setup.RequireFunder(Spec);
        RpcClient api = setup.Nodes[0];
        setup.Log.WorkloadSetupStart(Spec, api.Endpoint.Url);
        var txs = new FunderTxs(api, funder, setup.ChainId, setup.Gas);
        BindWallets(setup.Wallets.All);

        // 1. The contract: deployed now, or an earlier run's (its code checked on every node).
        DeployedContract? reused = setup.Reuse.FirstOrDefault(c => c.Name == LoadToken.Name);
        if (reused is null && setup.Reuse.Count > 0)
            throw new RunSetupException($"--reuse-setup: that run deployed {string.Join(", ", setup.Reuse.Select(c => c.Name))}, not {LoadToken.Name}: give the results file of a {Spec} run");
        DeployedContract contract;
        if (reused is not null)
        {
            foreach (RpcClient node in setup.Nodes)
            {
                if (!await FunderTxs.HasCodeAsync(node, reused.Address, cancel).ConfigureAwait(false))
                    throw new RunSetupException($"--reuse-setup: no code at {reused.Address} ({LoadToken.Name}) on {node.Endpoint.Url}: the chain was reset or is another one; run without --reuse-setup to deploy again");
            }
            contract = reused with { Reused = true };
            setup.Log.ContractReused(LoadToken.Name, reused.Address.ToString());
        }
        else
        {
            Hash256 deployTx = await txs.SendAsync(null, LoadToken.Bytecode, $"deploy {LoadToken.Name}", cancel).ConfigureAwait(false);
            JsonElement receipt = (await txs.WaitAllAsync(cancel).ConfigureAwait(false))[0];
            if (!receipt.TryGetProperty("contractAddress", out JsonElement created) || !Address.TryParse(created.GetString(), out Address address))
                throw new RunSetupException($"the receipt of {deployTx} on {api.Endpoint.Url} has no contractAddress: is it an EVM chain?");
            contract = new DeployedContract(LoadToken.Name, address, deployTx);
            await WaitForCodeAsync(setup.Nodes, address, cancel).ConfigureAwait(false);
            setup.Log.ContractDeployed(LoadToken.Name, address.ToString(), deployTx.ToString());
        }
        _token = contract.Address;
        _contracts = [contract];

        // 2. Roles: the funder mints in set-up; with mix, every wallet mints during the load.
        var minters = new List<Address> { funder.Address };
        if (_walletsMint) foreach (Wallet w in _wallets) minters.Add(w.Address);
        byte[][] has = await FunderTxs.CallManyAsync(api, _token, minters.ConvertAll(m => LoadToken.HasRoleCall(LoadToken.MinterRole, m)), cancel).ConfigureAwait(false);
        List<Address> missing = [];
        for (int i = 0; i < minters.Count; i++) if (LoadToken.DecodeUInt(has[i]).IsZero) missing.Add(minters[i]);
        if (missing.Count > 0)
        {
            byte[] admin = (await FunderTxs.CallManyAsync(api, _token, [LoadToken.HasRoleCall(LoadToken.AdminRole, funder.Address)], cancel).ConfigureAwait(false))[0];
            if (LoadToken.DecodeUInt(admin).IsZero)
                throw new RunSetupException($"the funder {funder.Address} is not an admin of {LoadToken.Name} at {_token}, so it can't grant the minter role: reuse a set-up made with the same funder, or deploy a new one");
            for (int start = 0; start < missing.Count; start += ChunkSize)
            {
                List<Address> chunk = missing.GetRange(start, Math.Min(ChunkSize, missing.Count - start));
                byte[] data = chunk.Count == 1 ? LoadToken.GrantRoleCall(LoadToken.MinterRole, chunk[0]) : LoadToken.GrantRoleBatchCall(LoadToken.MinterRole, chunk.ToArray());
                Hash256 tx = await txs.SendAsync(_token, data, $"grant the minter role to {chunk.Count}", cancel).ConfigureAwait(false);
                setup.Log.SetupTxSent($"grant the minter role to {chunk.Count}", tx.ToString());
            }
            await txs.WaitAllAsync(cancel).ConfigureAwait(false);
        }

        // 3. Mint the start balance to every wallet that holds less than half of it (all of them on a new contract).
        BigInteger[] balances = await BalancesAsync(api, _wallets, cancel).ConfigureAwait(false);
        var low = new List<Address>();
        for (int i = 0; i < _wallets.Length; i++) if (balances[i] < (BigInteger)(_initial / 2)) low.Add(_wallets[i].Address);
        for (int start = 0; start < low.Count; start += ChunkSize)
        {
            List<Address> chunk = low.GetRange(start, Math.Min(ChunkSize, low.Count - start));
            Hash256 tx = await txs.SendAsync(_token, LoadToken.MintBatchCall(chunk.ToArray(), (BigInteger)_initial), $"mint to {chunk.Count} wallets", cancel).ConfigureAwait(false);
            setup.Log.SetupTxSent($"mint to {chunk.Count} wallets", tx.ToString());
        }
        await txs.WaitAllAsync(cancel).ConfigureAwait(false);

        // 4. Where each wallet starts: nonce (fetched before set-up; set-up sends nothing from wallets) and balance.
        _startBalance = await BalancesAsync(api, _wallets, cancel).ConfigureAwait(false);
        for (int i = 0; i < _wallets.Length; i++)
        {
            _startNonce[i] = _wallets[i].NextNonce;
            _startFloor[i] = _startBalance[i] > (BigInteger)UInt128.MaxValue ? UInt128.MaxValue : (UInt128)_startBalance[i];
            _cursors[i] = new Cursor { Next = 0, Floor = _startFloor[i] };
        }
        _noncesPerTx = (ulong)setup.NoncesPerTx;

        // 5. Gas per op, estimated once from the first wallet (worst cases: to an address that holds nothing).
        Address from = _wallets[0].Address;
        ulong extra = setup.TxType == TxType.SetCode ? 40_000UL : 0;
        byte[] data68 = new byte[LoadToken.AddressAmountLength];
        LoadToken.WriteTransfer(data68, FreshAddress, _unit);
        _gasTransfer = Headroom(await txs.EstimateAsync(from, _token, data68, "a token transfer", cancel).ConfigureAwait(false)) + extra;
        if (_walletsMint)
        {
            LoadToken.WriteMint(data68, FreshAddress, _unit * _steps);
            _gasMint = Headroom(await txs.EstimateAsync(from, _token, data68, "a mint", cancel).ConfigureAwait(false)) + extra;
        }
        if (_burnWeight > 0)
        {
            byte[] data36 = new byte[LoadToken.AmountLength];
            LoadToken.WriteBurn(data36, 1);
            _gasBurn = Headroom(await txs.EstimateAsync(from, _token, data36, "a burn", cancel).ConfigureAwait(false)) + extra;
        }
        _ready = true;
        _onChain = true;
        setup.Log.WorkloadReady(missing.Count, low.Count, ((BigInteger)(_initial / Token)).ToString("N0", CultureInfo.InvariantCulture),
            string.Join(", ", GasLimits.Select(g => $"{WorkloadOps.Name(g.Op)} {g.GasLimit:N0}")));
    }

    /// <summary>Uses an already deployed token without touching the chain (benchmarks against a sink that is no chain).</summary>
    public void UsePreset(Address token, WalletSet wallets, TxType type, ulong gasLimit = 100_000)
    {
        BindWallets(wallets.All);
        _token = token;
        _contracts = [new DeployedContract(LoadToken.Name, token, null)];
        for (int i = 0; i < _wallets.Length; i++)
        {
            _startNonce[i] = _wallets[i].NextNonce;
            _startFloor[i] = _initial;
            _startBalance[i] = (BigInteger)_initial;
            _cursors[i] = new Cursor { Floor = _initial };
        }
        _noncesPerTx = (ulong)TransferWorkload.NoncesPerTxOf(type);
        _gasTransfer = _gasMint = _gasBurn = gasLimit;
        _ready = true;
    }

    private void BindWallets(Wallet[] wallets)
    {
        if (wallets.Length == 0) throw new RunSetupException("no wallets to run the token workload with");
        _wallets = wallets;
        int max = 0;
        foreach (Wallet w in wallets) max = Math.Max(max, w.Index);
        _localByIndex = new int[max + 1];
        Array.Fill(_localByIndex, -1);
        for (int i = 0; i < wallets.Length; i++) _localByIndex[wallets[i].Index] = i;
        _startNonce = new ulong[wallets.Length];
        _startFloor = new UInt128[wallets.Length];
        _startBalance = new BigInteger[wallets.Length];
        _cursors = new Cursor[wallets.Length];
    }

    private static ulong Headroom(ulong estimate) => estimate + estimate / 4 + 10_000;

    private static async Task WaitForCodeAsync(IReadOnlyList<RpcClient> nodes, Address address, CancellationToken cancel)
    {
        foreach (RpcClient node in nodes)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!await FunderTxs.HasCodeAsync(node, address, cancel).ConfigureAwait(false))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                    throw new RunSetupException($"{LoadToken.Name} was deployed at {address} through {nodes[0].Endpoint.Url} but {node.Endpoint.Url} has no code there after 30 s: contract workloads need every node on one chain");
                await Task.Delay(200, cancel).ConfigureAwait(false);
            }
        }
    }

    private async Task<BigInteger[]> BalancesAsync(RpcClient api, IReadOnlyList<Wallet> wallets, CancellationToken cancel, string block = "latest")
    {
        var calls = new List<byte[]>(wallets.Count);
        foreach (Wallet w in wallets) calls.Add(LoadToken.BalanceOfCall(w.Address));
        byte[][] results = await FunderTxs.CallManyAsync(api, _token, calls, cancel, block).ConfigureAwait(false);
        return Array.ConvertAll(results, LoadToken.DecodeUInt);
    }

    // ---- the hot path ---------------------------------------------------------------------------------------------

    public TxPlan NextTx(Wallet wallet, ulong nonce, Span<byte> calldata)
    {
        if (!_ready) ThrowNotSetUp();
        int local = _localByIndex[wallet.Index];
        ulong start = _startNonce[local];
        if (nonce < start) ThrowNonceBeforeStart(wallet, nonce, start);
        ulong k = (nonce - start) / _noncesPerTx;
        ref Cursor cursor = ref _cursors[local];
        if (cursor.Next != k) Rewind(local, k, ref cursor);
        Step step = Plan(local, k, ref cursor.Floor);
        cursor.Next = k + 1;
        switch (step.Op)
        {
            case WorkloadOp.Mint:
                return new TxPlan(WorkloadOp.Mint, _token, UInt256.Zero, LoadToken.WriteMint(calldata, wallet.Address, step.Amount), _gasMint);
            case WorkloadOp.Burn:
                return new TxPlan(WorkloadOp.Burn, _token, UInt256.Zero, LoadToken.WriteBurn(calldata, step.Amount), _gasBurn);
            default:
                return new TxPlan(WorkloadOp.Erc20Transfer, _token, UInt256.Zero, LoadToken.WriteTransfer(calldata, _wallets[step.Recipient].Address, step.Amount), _gasTransfer);
        }
    }

    /// <summary>One planned op: what, to which wallet (local index; transfers), how many token units.</summary>
    internal readonly record struct Step(WorkloadOp Op, int Recipient, UInt128 Amount);

    /// <summary>The op of tx <paramref name="k"/> of wallet <paramref name="local"/>; moves the wallet's floor past it.</summary>
    internal Step Plan(int local, ulong k, ref UInt128 floor)
    {
        ulong h = Hash((ulong)_wallets[local].Index, k);
        ulong pick = h % (ulong)_totalWeight;
        WorkloadOp op = pick < (ulong)_mintWeight ? WorkloadOp.Mint : pick < (ulong)(_mintWeight + _burnWeight) ? WorkloadOp.Burn : WorkloadOp.Erc20Transfer;
        UInt128 amount = _unit * (1 + (h >> 17) % _steps);
        int n = _wallets.Length;
        int recipient = n == 1 ? local : (local + 1 + (int)((h >> 41) % (ulong)(n - 1))) % n;
        if (op != WorkloadOp.Mint)
        {
            if (floor.Equals(UInt128.Zero))
            {
                if (_walletsMint) op = WorkloadOp.Mint; // nothing to debit: credit instead
                else amount = UInt128.Zero;
            }
            else if (amount > floor)
            {
                amount = floor;
            }
        }
        if (op == WorkloadOp.Mint) floor = UInt128.MaxValue - floor < amount ? UInt128.MaxValue : floor + amount;
        else floor -= amount;
        return new Step(op, recipient, amount);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Rewind(int local, ulong k, ref Cursor cursor)
    {
        UInt128 floor = _startFloor[local];
        for (ulong j = 0; j < k; j++) Plan(local, j, ref floor);
        cursor.Floor = floor;
        cursor.Next = k;
    }

    /// <summary>SplitMix64 of the wallet and tx number: cheap, well mixed, the same on every run.</summary>
    private static ulong Hash(ulong wallet, ulong k)
    {
        ulong z = (wallet + 1) * 0x9E3779B97F4A7C15UL ^ (k + 1) * 0xC2B2AE3D27D4EB4FUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [DoesNotReturn]
    private static void ThrowNotSetUp() => throw new InvalidOperationException("the token workload was asked for a tx before its set-up ran");

    [DoesNotReturn]
    private static void ThrowNonceBeforeStart(Wallet wallet, ulong nonce, ulong start) =>
        throw new InvalidOperationException($"{wallet}: nonce {nonce} is before the run's first ({start})");

    // ---- the ledger check (cold) ----------------------------------------------------------------------------------

    public async Task<WorkloadCheck?> CheckAsync(WorkloadCheckContext context, CancellationToken cancel)
    {
        if (!_ready || !_onChain || context.Included is null) return null;
        Ledger ledger = ComputeLedger(context.Included);
        int n = _wallets.Length;
        int[] chosen;
        if (context.Sample is int sample && sample < n)
        {
            chosen = Enumerable.Range(0, n).ToArray();
            Random.Shared.Shuffle(chosen);
            chosen = chosen[..sample];
            Array.Sort(chosen);
        }
        else
        {
            chosen = Enumerable.Range(0, n).ToArray();
        }
        RpcClient api = context.Nodes[0];
        string block = context.AtBlock is ulong at ? RpcClient.Quantity(at) : "latest";
        BigInteger[] actual = await BalancesAsync(api, chosen.Select(i => _wallets[i]).ToArray(), cancel, block).ConfigureAwait(false);
        var mismatches = new List<LedgerMismatch>();
        for (int j = 0; j < chosen.Length; j++)
        {
            int i = chosen[j];
            if (actual[j] != ledger.Expected[i]) mismatches.Add(new LedgerMismatch(_wallets[i].Index, _wallets[i].Address, ledger.Expected[i], actual[j]));
        }
        bool all = chosen.Length == n;
        byte[] supply = (await FunderTxs.CallManyAsync(api, _token, [LoadToken.TotalSupplyCall()], cancel, block).ConfigureAwait(false))[0];
        return new WorkloadCheck
        {
            Name = "ledger",
            Checked = chosen.Length,
            Wallets = n,
            IncludedTxs = ledger.IncludedTxs,
            Mismatches = mismatches,
            ExpectedSum = all ? ledger.Expected.Aggregate(BigInteger.Zero, (s, v) => s + v) : null,
            ActualSum = all ? actual.Aggregate(BigInteger.Zero, (s, v) => s + v) : null,
            TotalSupply = LoadToken.DecodeUInt(supply),
            Ops = ledger.Ops,
        };
    }

    public sealed record Ledger(BigInteger[] Expected, long IncludedTxs, IReadOnlyList<(WorkloadOp Op, long Count, BigInteger Amount)> Ops);

    /// <summary>Every wallet's expected balance: its start balance plus the effects of the included txs (its own and transfers in).</summary>
    public Ledger ComputeLedger(IncludedNonces included)
    {
        int n = _wallets.Length;
        var expected = (BigInteger[])_startBalance.Clone();
        var counts = new Dictionary<WorkloadOp, (long Count, BigInteger Amount)>();
        long txs = 0;
        for (int local = 0; local < n; local++)
        {
            ulong start = _startNonce[local];
            UInt128 floor = _startFloor[local];
            ulong next = 0;
            foreach (ulong nonce in included.Of(_wallets[local]))
            {
                if (nonce < start || (nonce - start) % _noncesPerTx != 0) continue; // not a tx of this run's sequence
                ulong k = (nonce - start) / _noncesPerTx;
                Step step = default;
                for (; next <= k; next++) step = Plan(local, next, ref floor);
                txs++;
                BigInteger amount = (BigInteger)step.Amount;
                switch (step.Op)
                {
                    case WorkloadOp.Mint: expected[local] += amount; break;
                    case WorkloadOp.Burn: expected[local] -= amount; break;
                    default:
                        expected[local] -= amount;
                        expected[step.Recipient] += amount;
                        break;
                }
                counts[step.Op] = counts.TryGetValue(step.Op, out var c) ? (c.Count + 1, c.Amount + amount) : (1, amount);
            }
        }
        var ops = counts.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Count, p.Value.Amount)).ToList();
        return new Ledger(expected, txs, ops);
    }
}
