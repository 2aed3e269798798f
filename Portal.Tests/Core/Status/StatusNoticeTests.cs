using System.Globalization;
using System.Text;
using Portal.Core.Status;

namespace Portal.Tests.Core.Status;

public sealed class StatusNoticeTests
{
    [Fact]
    public void A_long_list_of_ids_is_split_into_payloads_below_PostgreSQLs_limit_and_read_back_whole()
    {
        var ids = Enumerable.Range(0, 2000).Select(i => (long.MaxValue - i).ToString(CultureInfo.InvariantCulture)).ToList();

        var payloads = StatusNotice.Payloads("3f9c01ab", StatusNoticeKind.Results, ids).ToList();

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) < 8000, $"A payload has {p.Length} bytes."));
        var notices = payloads.Select(StatusNotice.Parse).ToList();
        Assert.All(notices, n => Assert.Equal(("3f9c01ab", StatusNoticeKind.Results), (n!.Origin, n.Kind)));
        Assert.Equal(ids, notices.SelectMany(n => n!.Ids));
    }

    [Fact]
    public void A_sign_in_notice_names_its_integration()
    {
        var id = Guid.NewGuid();

        var notice = StatusNotice.Parse(Assert.Single(StatusNotice.Payloads("a", StatusNoticeKind.SignIns, [id.ToString("N")])));

        Assert.Equal(new StatusNotice("a", StatusNoticeKind.SignIns, [id.ToString("N")]).Ids, notice!.Ids);
        Assert.Equal(StatusNoticeKind.SignIns, notice.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a|x|1")]
    [InlineData("a|r|")]
    [InlineData("something else")]
    public void A_payload_that_is_not_a_status_notice_is_ignored(string payload) => Assert.Null(StatusNotice.Parse(payload));

    [Fact]
    public void No_ids_make_no_payload() => Assert.Empty(StatusNotice.Payloads("a", StatusNoticeKind.Results, []));
}
