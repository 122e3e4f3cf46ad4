using System.Text.Json;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Workloads.Setup;

/// <summary>A workload's contract: reused from --reuse-setup (its code checked on every node) or deployed by the funder.</summary>
public static class ContractSetup
{
    public static async Task<DeployedContract> DeployOrReuseAsync(WorkloadSetup setup, FunderTxs txs, string name, byte[] bytecode, string spec, CancellationToken cancel)
    {
        DeployedContract? reused = setup.Reuse.FirstOrDefault(c => c.Name == name);
        if (reused is null && setup.Reuse.Count > 0)
            throw new RunSetupException($"--reuse-setup: that run deployed {string.Join(", ", setup.Reuse.Select(c => c.Name))}, not {name}: give the results file of a {spec} run");
        if (reused is not null)
        {
            foreach (RpcClient node in setup.Nodes)
                if (!await FunderTxs.HasCodeAsync(node, reused.Address, cancel).ConfigureAwait(false))
                    throw new RunSetupException($"--reuse-setup: no code at {reused.Address} ({name}) on {node.Endpoint.Url}: the chain was reset or is another one; run without --reuse-setup to deploy again");
            setup.Log.ContractReused(name, reused.Address.ToString());
            return reused with { Reused = true };
        }
        Hash256 deployTx = await txs.SendAsync(null, bytecode, $"deploy {name}", cancel).ConfigureAwait(false);
        JsonElement receipt = (await txs.WaitAllAsync(cancel).ConfigureAwait(false))[0];
        if (!receipt.TryGetProperty("contractAddress", out JsonElement created) || !Address.TryParse(created.GetString(), out Address address))
            throw new RunSetupException($"the receipt of {deployTx} on {txs.Api.Endpoint.Url} has no contractAddress: is it an EVM chain?");
        foreach (RpcClient node in setup.Nodes)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!await FunderTxs.HasCodeAsync(node, address, cancel).ConfigureAwait(false))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                    throw new RunSetupException($"{name} was deployed at {address} through {txs.Api.Endpoint.Url} but {node.Endpoint.Url} has no code there after 30 s: contract workloads need every node on one chain");
                await Task.Delay(200, cancel).ConfigureAwait(false);
            }
        }
        setup.Log.ContractDeployed(name, address.ToString(), deployTx.ToString());
        return new DeployedContract(name, address, deployTx);
    }

    /// <summary>A contract's creation bytecode embedded from contracts/build/NAME.bin.</summary>
    public static byte[] Embedded(string name)
    {
        using Stream stream = typeof(ContractSetup).Assembly.GetManifestResourceStream($"FastLoad.Engine.Contracts.{name}.bin")
            ?? throw new InvalidOperationException($"the {name} bytecode is not embedded in FastLoad.Engine: rebuild");
        using var reader = new StreamReader(stream);
        return Hex.Decode(reader.ReadToEnd().Trim());
    }
}
