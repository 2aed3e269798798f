namespace Portal.Tests.Core.OAuth1;

/// <summary>Answers HttpClient requests from a function and records what was sent.</summary>
internal sealed class StubHttpHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<(HttpMethod Method, Uri Url, string? Authorization, string? Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var authorization = request.Headers.TryGetValues("Authorization", out var values) ? values.Single() : null;
        Requests.Add((request.Method, request.RequestUri!, authorization, body));
        var response = respond(request);
        response.RequestMessage ??= request;
        return response;
    }
}
