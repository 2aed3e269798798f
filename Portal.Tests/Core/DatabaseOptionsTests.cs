using Portal.Core.Configuration;

namespace Portal.Tests.Core;

public sealed class DatabaseOptionsTests
{
    [Theory]
    [InlineData("Data Source=data/portal.db", "the SQLite database /srv/portal/data/portal.db")]
    [InlineData("Data Source=/var/lib/portal.db;Cache=Shared", "the SQLite database /var/lib/portal.db")]
    [InlineData("Data Source=:memory:", "an in-memory SQLite database")]
    [InlineData("Data Source=portal;Mode=Memory", "an in-memory SQLite database")]
    [InlineData("Data Source=file:/srv/portal.db?cache=shared", "the SQLite database file:/srv/portal.db?cache=shared")]
    public void The_operator_is_told_which_sqlite_database_it_is(string connectionString, string expected) =>
        Assert.Equal(expected, new DatabaseOptions { ConnectionString = connectionString }.Describe("/srv/portal"));

    [Fact]
    public void A_postgresql_database_is_named_by_host_and_database_never_by_password() =>
        Assert.Equal("the PostgreSQL database \"portal\" on db.example.com:5432",
            new DatabaseOptions { Provider = "PostgreSQL", ConnectionString = "Host=db.example.com;Database=portal;Username=p;Password=secret" }.Describe("/srv"));

    [Fact]
    public void Only_a_file_counts_as_a_file_the_setup_command_may_have_created()
    {
        Assert.Null(new DatabaseOptions { ConnectionString = "Data Source=portal;Mode=Memory" }.SqliteFilePath("/srv"));
        Assert.Equal("/srv/portal.db", new DatabaseOptions { ConnectionString = "Data Source=portal.db" }.SqliteFilePath("/srv"));
    }
}
