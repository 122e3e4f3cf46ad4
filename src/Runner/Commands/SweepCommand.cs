using System.CommandLine;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Wallets;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload sweep</c>: return what is left in a run's wallets to the funder.</summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var rpc = new Option<string>("--rpc") { Description = "Node URL(s), comma-separated, as given to the run.", Required = true };
        var wallets = new Option<int>("--wallets", "-w") { Description = "Wallets of the run (across all shards).", DefaultValueFactory = _ => 100 };
        var seed = new Option<string>("--seed") { Description = "Seed of the run.", DefaultValueFactory = _ => "fastload" };
        var shard = new Option<string>("--shard") { Description = "Shard i/N of the run.", DefaultValueFactory = _ => "0/1" };
        var to = new Option<string?>("--to") { Description = "Address to sweep to (default: the funder's, from FASTLOAD_FUNDER_KEY or --funder-key-file)." };
        var funderKeyFile = new Option<FileInfo?>("--funder-key-file") { Description = "File holding the funder's 0x private key." };
        var allowMainnet = new Option<bool>("--allow-mainnet") { Description = "Allow a public mainnet chain id; refused otherwise." };
        var command = new Command("sweep", """
            Return what is left in a run's wallets (same --seed, --wallets, --shard) to the funder.
            Example: FASTLOAD_FUNDER_KEY=0x… fastload sweep --rpc http://127.0.0.1:8545 --wallets 500
            """)
        {
            rpc, wallets, seed, shard, to, funderKeyFile, allowMainnet,
        };
        command.SetAction(parse =>
        {
            try
            {
                Address destination;
                if (parse.GetValue(to) is string text)
                {
                    if (!Address.TryParse(text, out destination)) throw new ArgumentException($"--to '{text}' is not a 20-byte 0x address");
                }
                else if (RunCommand.ReadFunderKey(parse.GetValue(funderKeyFile)) is string key && PrivateKey.TryParse(key, out PrivateKey funder))
                {
                    destination = funder.Address;
                }
                else
                {
                    throw new ArgumentException("nowhere to sweep to: pass --to ADDRESS, or set FASTLOAD_FUNDER_KEY / --funder-key-file to the funder's key");
                }
                string[] urls = parse.GetValue(rpc)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var apis = new List<RpcClient>();
                try
                {
                    foreach (string url in urls) apis.Add(RpcClient.ConnectAsync(url).GetAwaiter().GetResult());
                    foreach (RpcClient api in apis) ChainGuard.EnsureAllowed(api.GetChainIdAsync().GetAwaiter().GetResult(), api.Endpoint.Url, parse.GetValue(allowMainnet));
                    WalletSet set = WalletSet.Derive(parse.GetValue(seed)!, parse.GetValue(wallets), Shard.Parse(parse.GetValue(shard)!), 1, apis.Count);
                    Sweeper.SweepAsync(apis, set, destination, Console.Out, CancellationToken.None).GetAwaiter().GetResult();
                }
                finally
                {
                    foreach (RpcClient api in apis) api.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or RpcTransportException or RpcException or RunSetupException)
            {
                Console.Error.WriteLine($"fastload sweep: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
