using FastLoad.Engine.Rpc;
using FastLoad.Runner.Commands;

namespace FastLoad.Tests.Rpc;

/// <summary>--header: every node or one, values from the environment, nothing secret in a message or the recorded command line.</summary>
public class ConnectionFlagsTests
{
    private static readonly Dictionary<string, string> Environment = new() { ["RPC_TOKEN"] = "tok-123", ["B_KEY"] = "bk" };

    private static NodeHeader Parse(string spec, int nodes = 2) => ConnectionFlags.ParseHeader(spec, nodes, v => Environment.GetValueOrDefault(v));

    [Theory]
    [InlineData("Authorization: Bearer abc", null, "Authorization", "Bearer abc")]
    [InlineData("Authorization:Bearer $RPC_TOKEN", null, "Authorization", "Bearer tok-123")]
    [InlineData("Authorization: Bearer ${RPC_TOKEN}.x", null, "Authorization", "Bearer tok-123.x")]
    [InlineData("X-Api-Key: env:B_KEY", null, "X-Api-Key", "bk")]
    [InlineData("1=X-Api-Key: env:B_KEY", 1, "X-Api-Key", "bk")]
    [InlineData(" 0 = X-Price: $$5 ", 0, "X-Price", "$5")]
    [InlineData("X-Empty:", null, "X-Empty", "")]
    [InlineData("X-Url: https://a:b@c", null, "X-Url", "https://a:b@c")]
    public void Parses_header_specs(string spec, int? node, string name, string value)
    {
        NodeHeader header = Parse(spec);
        Assert.Equal(node, header.Node);
        Assert.Equal(name, header.Header.Name);
        Assert.Equal(value, header.Header.Value);
    }

    [Theory]
    [InlineData("Authorization Bearer tok-123", "--header 'Authorization …' has no ':': use --header 'Name: value' (or 'N=Name: value' for node N)")]
    [InlineData("tok-123", "--header has no ':' (its text is not shown, it may be a secret): use --header 'Name: value' (or 'N=Name: value' for node N)")]
    [InlineData("X-Api-Key=tok-123", "--header has no ':' (its text is not shown, it may be a secret): use --header 'Name: value' (or 'N=Name: value' for node N)")]
    [InlineData("2=X: v", "--header '2=X: …' is for node 2, but --rpc gives 2 node(s) (numbered from 0): use 0..1")]
    [InlineData("a=X: v", "--header 'a=X: …': 'a' is not a node number: use N=Name: value with N the 0-based position in --rpc")]
    [InlineData("X: Bearer $NOPE_TOKEN", "--header X: environment variable NOPE_TOKEN is not set: export it, e.g. export NOPE_TOKEN=…")]
    [InlineData("X: env:", "--header X: env: needs a variable name, e.g. env:RPC_TOKEN")]
    [InlineData("X: 5$ each", "--header X: a '$' in the value is not followed by a variable name: write $NAME or ${NAME}, or $$ for a literal $")]
    [InlineData("X: ${RPC_TOKEN", "--header X: a '$' in the value is not followed by a variable name: write $NAME or ${NAME}, or $$ for a literal $")]
    [InlineData("Host: evil", "--header: header Host is written by FastLoad itself: leave it out")]
    public void Rejects_bad_specs_with_one_line_that_never_quotes_a_value(string spec, string message)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Parse(spec));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain("tok-123", e.Message);
    }

    [Fact]
    public void A_header_value_from_the_environment_with_a_line_break_is_refused_without_quoting_it()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ConnectionFlags.ParseHeader("X: $V", 1, _ => "secret\r\nX-Evil: 1"));
        Assert.Equal("--header: the value of header X contains a line break or NUL, which would split the request: remove it", e.Message);
    }

    [Theory]
    [InlineData("X: Bearer $RPC_TOKEN")]
    [InlineData("X: Bearer ${RPC_TOKEN}")]
    [InlineData("X: env:RPC_TOKEN")]
    public void Without_an_environment_a_variable_is_refused_not_read(string spec)
    {
        // A run started through fastload serve: its flags come from the API, and $VAR would read the service's environment.
        ArgumentException e = Assert.Throws<ArgumentException>(() => ConnectionFlags.ParseHeader(spec, 1, null));
        Assert.Equal("--header X: $VAR and env:VAR are not expanded in a run started through fastload serve (they would read the service's environment): give the value itself, or $$ for a literal $", e.Message);
        Assert.Equal("Bearer $5", ConnectionFlags.ParseHeader("X: Bearer $$5", 1, null).Header.Value);
    }

    [Fact]
    public void Applies_headers_to_every_node_or_one()
    {
        NodeHeader[] headers = [Parse("A: 1"), Parse("1=B: 2"), Parse("0=C: 3")];
        Assert.Equal(["A", "C"], NodeHeader.For(headers, 0).Select(h => h.Name));
        Assert.Equal(["A", "B"], NodeHeader.For(headers, 1).Select(h => h.Name));
    }

    [Fact]
    public void The_recorded_command_line_has_no_header_value_and_no_url_credentials()
    {
        string[] args = ["run", "--rpc", "https://alice:pw1@a.example/,https://b.example/x@y", "--header", "Authorization: Bearer tok-123",
            "-H", "1=X-Key: k2", "--header=X-Other: v3", "--seed", "s"];
        string line = string.Join(' ', ConnectionFlags.RedactArguments(args));
        Assert.Equal("run --rpc https://<credentials>@a.example/,https://b.example/x@y --header Authorization: <redacted> -H 1=X-Key: <redacted> --header=X-Other: <redacted> --seed s", line);
    }

    // System.CommandLine also takes an option's value after ':' or '=' and a short option's value attached to it
    // (-Hvalue): every form must be blanked, or the secret lands in runs.command_line and the serve API's args.
    [Theory]
    [InlineData("--header:Authorization: Bearer tok-123", "--header:Authorization: <redacted>")]
    [InlineData("-H=Authorization: Bearer tok-123", "-H=Authorization: <redacted>")]
    [InlineData("-H:Authorization: Bearer tok-123", "-H:Authorization: <redacted>")]
    [InlineData("-HAuthorization: Bearer tok-123", "-HAuthorization: <redacted>")]
    [InlineData("--header:tok-123", "--header:<redacted>")]
    public void The_recorded_command_line_blanks_header_values_given_in_every_form_the_parser_takes(string arg, string expected)
    {
        Assert.Equal(["run", expected, "--count", "5"], ConnectionFlags.RedactArguments(["run", arg, "--count", "5"]));
    }

    [Fact]
    public void The_recorded_command_line_blanks_a_seed_given_as_seed_colon_value()
    {
        string line = RunCommand.CommandLineForRecord(["run", "--seed:s3cret", "--count", "5"]);
        Assert.DoesNotContain("s3cret", line);
    }
}
