using System.CommandLine;
using System.Globalization;
using FastLoad.Engine.Requests;
using FastLoad.Engine.Signing;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload sign</c>: JSON-line requests on stdin, one signed JSON line per request on stdout.</summary>
public static class SignCommand
{
    public static Command Create()
    {
        var verify = new Option<bool>("--verify") { Description = "Decode every signed tx again and check that its recovered sender is the key's address." };
        var threads = new Option<int>("--threads", "-t")
        {
            Description = "Signing threads (default: one per core).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print no summary on stderr." };
        var command = new Command("sign", """
            Sign transaction requests read as JSON lines from stdin; write one JSON line per request to stdout, in order:
              {"raw":"0x…","hash":"0x…","sender":"0x…"}  (type 4 adds "signedAuthorizations")
            A bad request gets {"line":N,"field":"…","error":"…"} and the rest go on; the exit code is 1 if any failed.

            Request fields (numbers as decimal strings): type (legacy|eip2930|eip1559|eip7702), privateKey, chainId,
            nonce, gasLimit, value, data, to (null = contract creation), gasPrice or maxFeePerGas + maxPriorityFeePerGas,
            accessList [{address, storageKeys}], authorizationList [{chainId, address, nonce, signerKey}], id (echoed).

            Example:
              echo '{"type":"eip1559","privateKey":"0x4c08…","chainId":"1","nonce":"0","gasLimit":"21000","to":"0x…","value":"1","maxFeePerGas":"30000000000","maxPriorityFeePerGas":"1000000000"}' | fastload sign
            """)
        {
            verify, threads, quiet,
        };
        command.SetAction(parse =>
        {
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1)
            {
                Console.Error.WriteLine("fastload sign: --threads must be at least 1");
                return 2;
            }
            Secp256k1.EnsureAvailable();
            using Stream stdin = Console.OpenStandardInput();
            using Stream stdout = Console.OpenStandardOutput();
            SignPipelineResult result = SignPipeline.RunAsync(stdin, stdout, new SignPipelineOptions
            {
                Workers = threadCount,
                Verify = parse.GetValue(verify),
            }).GetAwaiter().GetResult();
            if (!parse.GetValue(quiet))
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"fastload sign: {result.Lines:N0} requests, {result.Errors:N0} failed, {result.Elapsed.TotalSeconds:F2} s, {result.LinesPerSecond:N0} tx/s on {threadCount} threads"));
            }
            return result.Errors > 0 ? 1 : 0;
        });
        return command;
    }
}
