using FastLoad.Runner.Live;

namespace FastLoad.Tests.Live;

public sealed class PlainProgressViewTests
{
    [Fact]
    public void Line_gives_every_figure_in_the_documented_form()
    {
        Assert.Equal(
            "[   5s] sent 1,000 (200 tx/s, target 200)  acked 990  included 800  errors 3 (nonce_too_low 2, underpriced 1)  " +
            "ack p50/p99 3.0/9.5 ms  incl p50/p99 1,020/2,100 ms  ring 120/256  BREAKER 50%  DROPPED 12 records",
            PlainProgressView.Line(ProgressSnapshots.TwoNodes()));
        Assert.Equal(
            "[   2s] sent 5,000 (2,500 tx/s, max)  acked 5,000  included 0  errors 0  ack p50/p99 1.0/4.0 ms  ring 0/1,024",
            PlainProgressView.Line(ProgressSnapshots.OneNodeByCount()));
    }

    [Fact]
    public void Line_adds_the_read_traffic_when_the_run_reads()
    {
        Assert.Equal(
            "[   2s] sent 5,000 (2,500 tx/s, max)  acked 5,000  included 0  errors 0  ack p50/p99 1.0/4.0 ms  ring 0/1,024  reads 98/s errors 3 p50/p99 1.3/12.3 ms",
            PlainProgressView.Line(ProgressSnapshots.OneNodeWithReads()));
    }

    [Fact]
    public void Line_adds_the_preconfirmations_when_the_run_listens_to_streams()
    {
        Assert.Equal(
            "[   2s] sent 5,000 (2,500 tx/s, max)  acked 5,000  included 0  errors 0  ack p50/p99 1.0/4.0 ms  ring 0/1,024  preconf 4,870 p50/p99 0.8/6.7 ms",
            PlainProgressView.Line(ProgressSnapshots.OneNodeWithPreconfs()));
    }

    [Fact]
    public void Prints_at_most_one_line_per_second_and_messages_as_they_come()
    {
        var output = new StringWriter { NewLine = "\n" };
        var view = new PlainProgressView(output);
        view.Update(ProgressSnapshots.TwoNodes(0.3, sent: 10));   // second 0: no line yet
        view.Message("funding 100 wallets...");
        view.Update(ProgressSnapshots.TwoNodes(1.0, sent: 200));
        view.Update(ProgressSnapshots.TwoNodes(1.4, sent: 280));  // same second: held back
        view.Update(ProgressSnapshots.TwoNodes(2.1, sent: 420));
        view.Update(ProgressSnapshots.TwoNodes(2.6, sent: 520));  // held back, printed by Complete
        view.Complete();
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("funding 100 wallets...", lines[0]);
        Assert.StartsWith("[   1s] sent 200 ", lines[1]);
        Assert.StartsWith("[   2s] sent 420 ", lines[2]);
        Assert.StartsWith("[   2s] sent 520 ", lines[3]);
    }

    [Fact]
    public void Factory_gives_plain_lines_off_a_terminal_or_when_quiet_and_the_live_view_on_one()
    {
        Assert.IsType<PlainProgressView>(ProgressViews.For(new StringWriter(), isTerminal: false, quiet: false));
        Assert.IsType<PlainProgressView>(ProgressViews.For(new StringWriter(), isTerminal: true, quiet: true));
        Assert.IsType<SpectreLiveView>(ProgressViews.For(new StringWriter(), isTerminal: true, quiet: false));
    }
}
