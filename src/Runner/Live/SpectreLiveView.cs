using FastLoad.Engine.Load;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastLoad.Runner.Live;

/// <summary>
/// The live display of a run on a terminal (Spectre.Console): one compact panel redrawn in place — position and
/// progress bar, rate against target, sent/acked/included, errors by class, ack and inclusion p50/p99, ring fill,
/// read traffic (reads/s, read errors, read p50/p99) with --read-rate, breaker, dropped records when any, a per-node table when there is more than one node — and under it the last
/// <see cref="MessageLines"/> messages, drawn as part of the display so they never tear it.
/// <para>
/// The display runs on a thread of its own, started by the first <see cref="Update"/> or <see cref="Message"/>; the
/// run's threads only swap in the newest snapshot and signal it, so they never wait on the terminal.
/// <see cref="Complete"/> draws the final frame, leaves it on screen and returns when the console is free again.
/// </para>
/// </summary>
public sealed class SpectreLiveView : IRunProgressView, IDisposable
{
    public const int MessageLines = 5;

    private readonly IAnsiConsole _console;
    private readonly Lock _gate = new();
    private readonly Queue<string> _messages = new();
    private readonly SemaphoreSlim _changed = new(0, int.MaxValue);
    private RunProgress? _latest;
    private Thread? _thread;
    private bool _completing;
    private Exception? _failure;

    public SpectreLiveView(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        _console = console;
    }

    public void Update(RunProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        lock (_gate)
        {
            if (_completing) return;
            _latest = progress;
            EnsureStarted();
        }
        _changed.Release();
    }

    public void Message(string line)
    {
        lock (_gate)
        {
            if (_completing)
            {
                _console.WriteLine(line, Style.Plain); // the display is gone: print it plainly below
                return;
            }
            _messages.Enqueue(line);
            while (_messages.Count > MessageLines) _messages.Dequeue();
            EnsureStarted();
        }
        _changed.Release();
    }

    public void Complete()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_completing) return;
            _completing = true;
            thread = _thread;
        }
        if (thread is null) return;
        _changed.Release();
        thread.Join();
        // A display that could not run (e.g. another live display holds the console) must not cost the run its
        // result: say so and leave the last figures as a plain line.
        if (_failure is not null)
        {
            RunProgress? last;
            lock (_gate) last = _latest;
            _console.WriteLine($"(live view failed: {_failure.Message})", Style.Plain);
            if (last is not null) _console.WriteLine(PlainProgressView.Line(last), Style.Plain);
        }
    }

    public void Dispose()
    {
        Complete();
        _changed.Dispose();
    }

    private void EnsureStarted()
    {
        if (_thread is not null) return;
        _thread = new Thread(Loop) { IsBackground = true, Name = "fastload live view" };
        _thread.Start();
    }

    private void Loop()
    {
        try
        {
            _console.Live(Frame())
                .AutoClear(false)
                .Overflow(VerticalOverflow.Ellipsis)
                .Cropping(VerticalOverflowCropping.Bottom)
                .Start(context =>
                {
                    while (true)
                    {
                        _changed.Wait();
                        while (_changed.CurrentCount > 0) _changed.Wait(); // coalesce: draw only the newest
                        bool last;
                        lock (_gate) last = _completing;
                        context.UpdateTarget(Frame());
                        context.Refresh();
                        if (last) return;
                    }
                });
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    private IRenderable Frame()
    {
        RunProgress? progress;
        string[] messages;
        lock (_gate)
        {
            progress = _latest;
            messages = [.. _messages];
        }
        return Render(progress, messages);
    }

    /// <summary>The display for a snapshot (null: not sending yet) and the latest messages.</summary>
    public static IRenderable Render(RunProgress? p, IReadOnlyList<string> messages)
    {
        var rows = new List<IRenderable>();
        if (p is not null)
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn(new GridColumn());
            grid.AddRow(Label("run"), new Markup(Position(p)));
            grid.AddRow(Label("rate"), new Text(ProgressText.RateVsTarget(p)));
            grid.AddRow(Label("txs"), new Markup(
                $"sent [bold]{ProgressText.Count(p.Sent)}[/]   acked {ProgressText.Count(p.Acked)}   accepted {ProgressText.Count(p.Accepted)}   included {ProgressText.Count(p.Included)}"));
            string errors = ProgressText.Errors(p.Errors);
            grid.AddRow(Label("errors"), new Markup(errors == "0" ? "0" : $"[red]{Markup.Escape(errors)}[/]"));
            grid.AddRow(Label("ack"), new Text($"p50/p99 {ProgressText.Percentiles(p.AckP50Ms, p.AckP99Ms)}"));
            grid.AddRow(Label("inclusion"), new Text($"p50/p99 {ProgressText.Percentiles(p.InclusionP50Ms, p.InclusionP99Ms)}"));
            grid.AddRow(Label("ring"), new Text($"{ProgressText.Count(p.RingFill)}/{ProgressText.Count(p.RingCapacity)} presigned"));
            if (p.Reads is { } r)
                grid.AddRow(Label("reads"), new Markup(
                    $"{ProgressText.Rate(r.Rate)} reads/s (asked {ProgressText.Rate(r.TargetRate)})   sent {ProgressText.Count(r.Sent)}   errors {(r.Errors == 0 ? "0" : $"[red]{ProgressText.Count(r.Errors)}[/]")}   p50/p99 {ProgressText.Percentiles(r.P50Ms, r.P99Ms)}"));
            if (p.Preconf is { } pc)
                grid.AddRow(Label("preconf"), new Text(
                    $"{ProgressText.Count(pc.Preconfirmed)} of {ProgressText.Count(p.Accepted)} accepted, by {pc.Streams} stream(s)   p50/p99 {ProgressText.Percentiles(pc.P50Ms, pc.P99Ms)}"));
            grid.AddRow(Label("breaker"), new Markup(p.BreakerFraction is null ? "closed" : $"[yellow]{ProgressText.Breaker(p.BreakerFraction)}[/]"));
            if (p.DroppedRecords > 0)
                grid.AddRow(Label("dropped"), new Markup($"[red]{ProgressText.Count(p.DroppedRecords)} result records (the results writer fell behind)[/]"));
            rows.Add(grid);
            if (p.Nodes.Count > 1) rows.Add(NodeTable(p.Nodes));
        }
        else
        {
            rows.Add(new Markup("[grey]preparing...[/]"));
        }
        foreach (string message in messages) rows.Add(new Text(message, new Style(Color.Grey)));
        return new Rows(rows);
    }

    private static Markup Label(string text) => new($"[grey]{text}[/]");

    private static string Position(RunProgress p)
    {
        string position = Markup.Escape(ProgressText.Position(p));
        if (ProgressText.Fraction(p) is not { } fraction) return position;
        const int width = 30;
        int filled = (int)Math.Round(fraction * width);
        return $"{position}  [green]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/] {ProgressText.Percent(fraction)}";
    }

    private static Table NodeTable(IReadOnlyList<NodeProgress> nodes)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("node")
            .AddColumn(new TableColumn("tx/s").RightAligned())
            .AddColumn(new TableColumn("sent").RightAligned())
            .AddColumn(new TableColumn("accepted").RightAligned())
            .AddColumn(new TableColumn("errors").RightAligned())
            .AddColumn(new TableColumn("included").RightAligned())
            .AddColumn(new TableColumn("ack p50/p99").RightAligned());
        foreach (NodeProgress n in nodes)
        {
            table.AddRow(
                new Text(n.Url),
                new Text(ProgressText.Rate(n.Rate)),
                new Text(ProgressText.Count(n.Sent)),
                new Text(ProgressText.Count(n.Accepted)),
                new Text(ProgressText.Count(n.Errors)),
                new Text(ProgressText.Count(n.Included)),
                new Text(ProgressText.Percentiles(n.AckP50Ms, n.AckP99Ms)));
        }
        return table;
    }
}
