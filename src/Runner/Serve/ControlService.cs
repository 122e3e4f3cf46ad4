using System.Data.Common;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FastLoad.Runner.Serve;

/// <summary>
/// <c>fastload serve</c>'s HTTP side on Kestrel: the JSON API (camelCase) and the dashboard page. Reads are open to
/// whoever reaches the address (loopback unless told otherwise); starting and stopping a run need the bearer token.
/// </summary>
internal sealed class ControlService : IAsyncDisposable
{
    /// <summary>
    /// The JSON of the API and of the event stream: web defaults (camelCase), nulls kept out; type metadata from the
    /// source-generated <see cref="ServeJsonContext"/> (no reflection, so the Native AOT build serves the same JSON).
    /// </summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // an API, not HTML: "service's", not "service\u0027s"
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = ServeJsonContext.Default,
    };

    /// <summary>The metadata of <typeparamref name="T"/> under <see cref="Json"/>'s settings.</summary>
    internal static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T));

    private static IResult Ok<T>(T value, int? statusCode = null) => Results.Json(value, Info<T>(), statusCode: statusCode);

    private readonly WebApplication _app;

    private ControlService(WebApplication app, ServedRuns runs, Uri url)
    {
        _app = app;
        Runs = runs;
        Url = url;
    }

    public ServedRuns Runs { get; }

    /// <summary>Where it listens, e.g. http://127.0.0.1:7464/ (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>Listens on <paramref name="address"/>:<paramref name="port"/> (0: any free port). Throws <see cref="IOException"/> when it cannot.</summary>
    public static async Task<ControlService> StartAsync(IPAddress address, int port, ServedRuns runs, BearerToken token)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoConsoleLifetime>(); // Ctrl-C is serve's own (SignalStop): stop the run first, then the service
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = Json.DefaultIgnoreCondition;
            o.SerializerOptions.NumberHandling = Json.NumberHandling;
            o.SerializerOptions.Encoder = Json.Encoder;
        });
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port));
        WebApplication app = builder.Build();
        Map(app, runs, token);
        await app.StartAsync().ConfigureAwait(false);
        string bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new ControlService(app, runs, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void Map(WebApplication app, ServedRuns runs, BearerToken token)
    {
        // The dashboard: one page, its script and style, and the vendored chart library, from the assembly.
        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/static/{name}", (string name) => Asset(name));
        app.MapGet("/static/vendor/{name}", (string name) => Asset("vendor/" + name));

        app.MapGet("/api", () => Ok(new ApiIndex("fastload serve", runs.Live?.Id, runs.ResultsFolder,
        [
            "GET /api/runs", "POST /api/runs (token)", "GET /api/runs/{id}", "POST /api/runs/{id}/stop (token)",
            "GET /api/runs/{id}/figures?from=N", "GET /api/runs/{id}/stream (text/event-stream)", "GET /api/runs/{id}/summary", "GET /api/runs/{id}/report (text/html)",
        ])));

        app.MapGet("/api/runs", () => Ok(runs.List()));

        app.MapPost("/api/runs", async (HttpRequest request) =>
        {
            StartRequest? body;
            try
            {
                body = await request.ReadFromJsonAsync(Info<StartRequest>()).ConfigureAwait(false);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or BadHttpRequestException)
            {
                return Error(400, $"the body is not a start request ({ReportLine(e.Message)}): send JSON like {{\"options\": {{\"rate\": 100, \"duration\": \"30s\"}}}}, {{\"scenario\": \"scenarios/smoke.yaml\"}} or {{\"args\": [\"--rate\", \"100\"]}}");
            }
            if (body is null) return Error(400, "the body is empty: send JSON like {\"options\": {\"rate\": 100}}");
            string[] flags;
            Scenarios.ScenarioFile? scenario;
            try
            {
                (flags, scenario) = StartArguments.Of(body);
            }
            catch (ArgumentException e)
            {
                return Error(400, e.Message);
            }
            StartOutcome started = await runs.StartAsync(flags, scenario).ConfigureAwait(false);
            if (started.Run is not ServedRun run) return Error(started.StatusCode, started.Error!);
            return Ok(RunViews.View(run), 201);
        }).AddEndpointFilter(RequireToken(token));

        app.MapGet("/api/runs/{id}", (string id) =>
        {
            if (runs.Find(id) is ServedRun run) return Ok(RunViews.View(run));
            if (!ServedRuns.IsId(id) || !File.Exists(runs.PathOf(id))) return NotFound(id);
            (Engine.Results.RunMetrics? metrics, string? error) = runs.Read(runs.PathOf(id));
            return Ok(RunViews.View(id, runs.PathOf(id), metrics, error));
        });

        app.MapPost("/api/runs/{id}/stop", (string id) =>
        {
            if (runs.Find(id) is not ServedRun run) return ServedRuns.IsId(id) && File.Exists(runs.PathOf(id)) ? Error(409, $"run {id} has ended (it is a results file): nothing to stop") : NotFound(id);
            return run.Stop() ? Ok(RunViews.View(run), 202) : Error(409, $"run {id} has ended ({run.Status}): nothing to stop");
        }).AddEndpointFilter(RequireToken(token));

        app.MapGet("/api/runs/{id}/figures", (string id, int? from) =>
            runs.Find(id) is ServedRun run ? Ok(run.FiguresFrom(from ?? 0).Figures) : NoFigures(runs, id));

        app.MapGet("/api/runs/{id}/stream", async (string id, HttpContext context) =>
        {
            if (runs.Find(id) is not ServedRun run) return NoFigures(runs, id);
            await StreamAsync(run, context).ConfigureAwait(false);
            return Results.Empty;
        });

        app.MapGet("/api/runs/{id}/summary", (string id) =>
        {
            if (!ServedRuns.IsId(id)) return NotFound(id);
            if (runs.Find(id) is { Finished: false }) return Error(409, $"run {id} is still running: its summary comes when it ends (GET /api/runs/{id} has its live figures)");
            string file = runs.PathOf(id);
            if (!File.Exists(file)) return NotFound(id);
            (Engine.Results.RunMetrics? metrics, string? error) = runs.Read(file);
            return metrics is null ? Error(422, $"{id}.duckdb cannot be read: {error}") : Ok(RunViews.Summary(id, metrics));
        });

        app.MapGet("/api/runs/{id}/report", (string id) =>
        {
            if (!ServedRuns.IsId(id)) return NotFound(id);
            if (runs.Find(id) is { Finished: false }) return Error(409, $"run {id} is still running: its report comes when it ends");
            string file = runs.PathOf(id);
            if (!File.Exists(file)) return NotFound(id);
            try
            {
                return Results.Content(ServedRuns.Report(file, id), "text/html; charset=utf-8");
            }
            catch (Exception e) when (e is InvalidDataException or IOException or DbException)
            {
                return Error(422, $"{id}.duckdb cannot be read: {ReportLine(e.Message)}");
            }
        });
    }

    /// <summary>
    /// Server-sent events: every figure sample of the run from the first (or after Last-Event-ID, when the browser
    /// reconnects) as <c>event: figures</c>, one a second while the run lives, then <c>event: end</c> with the run's
    /// list entry, and the stream closes.
    /// </summary>
    private static async Task StreamAsync(ServedRun run, HttpContext context)
    {
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        int next = int.TryParse(context.Request.Headers["Last-Event-ID"], out int last) ? last + 1 : 0;
        CancellationToken gone = context.RequestAborted;
        try
        {
            while (!gone.IsCancellationRequested)
            {
                Task changed = run.ChangedAsync(gone);
                (LiveFigures[] figures, bool ended) = run.FiguresFrom(next);
                var text = new StringBuilder();
                foreach (LiveFigures f in figures)
                    text.Append("id: ").Append(next++).Append("\nevent: figures\ndata: ").Append(JsonSerializer.Serialize(f, Info<LiveFigures>())).Append("\n\n");
                if (ended) text.Append("event: end\ndata: ").Append(JsonSerializer.Serialize(RunViews.ListItem(run), Info<RunListItem>())).Append("\n\n");
                if (text.Length > 0)
                {
                    await response.WriteAsync(text.ToString(), gone).ConfigureAwait(false);
                    await response.Body.FlushAsync(gone).ConfigureAwait(false);
                }
                if (ended) return;
                await changed.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (gone.IsCancellationRequested)
        {
            // the client went away
        }
    }

    private static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> RequireToken(BearerToken token) =>
        async (context, next) =>
        {
            if (token.Accepts(context.HttpContext.Request.Headers.Authorization))
                return await next(context).ConfigureAwait(false);
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"fastload\"";
            return Error(401, "starting and stopping runs needs the service's token: send Authorization: Bearer TOKEN (printed when fastload serve started, or FASTLOAD_API_TOKEN)");
        };

    private static IResult NoFigures(ServedRuns runs, string id) =>
        ServedRuns.IsId(id) && File.Exists(runs.PathOf(id))
            ? Error(404, $"run {id} was not started by this service: it has no live figures (GET /api/runs/{id}/summary and /report read its results file)")
            : NotFound(id);

    private static IResult NotFound(string id) => Error(404, $"no run '{id}': GET /api/runs lists them");

    private static IResult Error(int status, string message) => Ok(new ApiError(message), status);

    private static string ReportLine(string message) => Commands.ReportCommand.OneLine(message);

    private static IResult Asset(string name)
    {
        Stream? stream = typeof(ControlService).Assembly.GetManifestResourceStream("wwwroot/" + name);
        if (stream is null) return Results.NotFound();
        string type = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => "text/plain; charset=utf-8",
        };
        return Results.Stream(stream, type);
    }

    /// <summary>The host's lifetime without the console's Ctrl-C handling (serve stops through its own).</summary>
    private sealed class NoConsoleLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>GET /api: what the service is and what it answers.</summary>
public sealed record ApiIndex(string Name, string? Live, string ResultsFolder, string[] Endpoints);

/// <summary>Every refusal's body: <c>{"error": "..."}</c>.</summary>
public sealed record ApiError(string Error);

/// <summary>The API's types for System.Text.Json's source generator (the options are <see cref="ControlService.Json"/>'s).</summary>
[JsonSerializable(typeof(ApiIndex))]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(IReadOnlyList<RunListItem>))]
[JsonSerializable(typeof(RunListItem))]
[JsonSerializable(typeof(RunView))]
[JsonSerializable(typeof(RunSummaryView))]
[JsonSerializable(typeof(LiveFigures[]))]
[JsonSerializable(typeof(StartRequest))]
internal sealed partial class ServeJsonContext : JsonSerializerContext;
