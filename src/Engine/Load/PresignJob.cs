using System.Diagnostics;
using System.Globalization;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads;

namespace FastLoad.Engine.Load;

/// <summary>
/// `fastload presign`: signs N txs up front on every core into a file that `run --replay` blasts
/// without signing. With a node, chain id, gas prices and nonces come from it; without one, the txs
/// are for a fresh chain (nonces from 0) with the given chain id and fees.
/// </summary>
public sealed class PresignJob(RunOptions options, long count, string outputPath, ulong chainIdWithoutNode)
{
    public sealed record Result(long Count, TimeSpan Elapsed, long Bytes)
    {
        public double Rate => Count / Math.Max(1e-9, Elapsed.TotalSeconds);
    }

    public async Task<Result> RunAsync(CancellationToken cancel)
    {
        RpcClient? api = options.Rpc.Count > 0 ? await RpcClient.ConnectAsync(RpcEndpoint.Parse(options.Rpc[0], options.ConnectFor(0)), ct: cancel).ConfigureAwait(false) : null;
        try
        {
            ulong chainId = api is null ? chainIdWithoutNode : await api.GetChainIdAsync(cancel).ConfigureAwait(false);
            if (api is not null) options.Logger.NodeConnected(0, api.Endpoint.Url, chainId);
            ChainGuard.EnsureAllowed(chainId, api?.Endpoint.Url ?? "--chain-id", options.AllowMainnet);
            GasPricing gas = api is null
                ? new GasPricing(options.GasPrice ?? 10_000_000_000, options.MaxFeePerGas ?? 10_000_000_000, options.PriorityFee ?? 1_000_000_000)
                : await LoadRun.PriceGasAsync(api, options).ConfigureAwait(false);
            var workload = new TransferWorkload(options.TxType, chainId, gas);
            PrivateKey funder = WalletKeys.Funder(options.FunderKey);
            WalletSet wallets = WalletSet.Derive(funder, options.Seed, options.Wallets, options.Shard, options.Signers, nodeCount: 1);
            if (api is not null)
                await LoadRun.ForEachWalletAsync(wallets.All, async w => w.NextNonce = await api.GetTransactionCountAsync(w.Address, ct: cancel).ConfigureAwait(false)).ConfigureAwait(false);

            var ring = new PresignedRing(65_536, CallWriter.MaxLength(512));
            // No inclusion to wait for here: a presigned file's txs are consecutive in each wallet's nonce sequence.
            var signers = new SignerPool(wallets, [ring], workload, count, periodicResync: 0, requestFetch: _ => { }, awaitInclusion: false);
            await using var file = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            var writer = new PresignedFileWriter(file, new PresignedHeader
            {
                ChainId = chainId, TxType = Requests.SignRequest.TypeName(options.TxType), Seed = options.Seed, Funder = funder.Address.ToString(),
                Wallets = options.Wallets, Shard = options.Shard.ToString(), Count = count, MaxCostPerTx = workload.MaxCostPerTx.ToString(),
            });
            var clock = Stopwatch.StartNew();
            signers.Start();
            long written = 0;
            var spin = new SpinWait();
            try
            {
                while (written < count)
                {
                    cancel.ThrowIfCancellationRequested();
                    if (!ring.TryBeginRead(out PresignedTx slot, out long position))
                    {
                        spin.SpinOnce(sleep1Threshold: 30);
                        continue;
                    }
                    writer.Write(slot);
                    ring.EndRead(position);
                    written++;
                }
            }
            finally
            {
                signers.Stop();
            }
            writer.Complete();
            return new Result(written, clock.Elapsed, file.Length);
        }
        finally
        {
            if (api is not null) await api.DisposeAsync().ConfigureAwait(false);
        }
    }
}
