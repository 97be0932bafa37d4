using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Routerd.WebUi;
using Xunit;

namespace Routerd.Tests.WebUi;

public class JsonBodyTests
{
    /// <summary>What Kestrel does to a chunked body at the route's limit: some bytes arrive, then the read throws 413.</summary>
    sealed class OverLimitBody(byte[] first) : MemoryStream(first)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken token = default)
        {
            int n = await base.ReadAsync(buffer, token);
            return n > 0 ? n : throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        }
    }

    static HttpRequest Request(Stream body) => new DefaultHttpContext { Request = { Body = body } }.Request;

    static int? Status(IResult? result) => (result as IStatusCodeHttpResult)?.StatusCode;

    [Fact]
    public async Task A_body_over_the_limit_is_413_even_when_its_first_bytes_are_not_json()
    {
        // The flaky attack-suite answer: zeros (not JSON) arriving before the limit was reached gave 400.
        var (value, refusal) = await JsonBody.ReadAsync(Request(new OverLimitBody(new byte[1000])), WebJsonContext.Default.LoginRequest);
        Assert.Null(value);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, Status(refusal));
    }

    [Theory]
    [InlineData("\0\0\0")]
    [InlineData("{\"username\":")]
    [InlineData("null")]
    public async Task A_body_within_the_limit_that_is_not_a_json_object_is_400(string body)
    {
        var (value, refusal) = await JsonBody.ReadAsync(Request(new MemoryStream(Encoding.UTF8.GetBytes(body))), WebJsonContext.Default.LoginRequest);
        Assert.Null(value);
        Assert.Equal(StatusCodes.Status400BadRequest, Status(refusal));
    }

    [Fact]
    public async Task A_login_is_read()
    {
        var (value, refusal) = await JsonBody.ReadAsync(Request(new MemoryStream("{\"username\":\"admin\",\"password\":\"pw\"}"u8.ToArray())), WebJsonContext.Default.LoginRequest);
        Assert.Null(refusal);
        Assert.Equal(new LoginRequest("admin", "pw"), value);
    }
}
