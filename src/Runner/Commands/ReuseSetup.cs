using FastLoad.Engine.Primitives;
using FastLoad.Engine.Workloads;

namespace FastLoad.Runner.Commands;

/// <summary><c>--reuse-setup FILE</c>: the contracts an earlier run's results file records.</summary>
internal static class ReuseSetup
{
    /// <summary>The <c>contracts</c> rows of <paramref name="path"/>; a bad file is a one-line <see cref="ArgumentException"/>.</summary>
    public static IReadOnlyList<DeployedContract> Read(string path)
    {
        IReadOnlyList<(string Name, string Address, string? DeployTx)> rows;
        try
        {
            rows = Engine.Results.ResultsContracts.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new ArgumentException($"--reuse-setup {path}: {e.Message}");
        }
        if (rows.Count == 0)
            throw new ArgumentException($"--reuse-setup {path}: that run deployed no contract (its workload was transfer): give the results file of an erc20 or mix run");
        var contracts = new List<DeployedContract>(rows.Count);
        foreach ((string name, string address, string? deployTx) in rows)
        {
            if (!Address.TryParse(address, out Address parsed))
                throw new ArgumentException($"--reuse-setup {path}: contract {name} has address '{address}', not a 20-byte 0x-hex address");
            contracts.Add(new DeployedContract(name, parsed, deployTx is not null && Hash256.TryParse(deployTx, out Hash256 tx) ? tx : null));
        }
        return contracts;
    }
}
