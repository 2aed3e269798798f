using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Persistence;

/// <summary>
/// A query of the sign-in path compiled once instead of translated on every run, which roughly halves its cost
/// (docs/benchmarks.md, "Sign-in"). EF Core binds a compiled query to the model of the first context it runs on, so one
/// is compiled per context type: SQLite's and PostgreSQL's models differ, and one process may use both.
/// </summary>
internal sealed class PerModelQuery<TArgument, TResult>(Expression<Func<PortalDbContext, TArgument, CancellationToken, TResult>> query)
{
    private readonly ConcurrentDictionary<Type, Func<PortalDbContext, TArgument, CancellationToken, Task<TResult>>> compiled = new();

    public Task<TResult> RunAsync(PortalDbContext db, TArgument argument, CancellationToken cancellationToken) =>
        compiled.GetOrAdd(db.GetType(), _ => EF.CompileAsyncQuery(query))(db, argument, cancellationToken);
}

/// <summary>Like <see cref="PerModelQuery{TArgument, TResult}"/>, with two arguments.</summary>
internal sealed class PerModelQuery<TFirst, TSecond, TResult>(Expression<Func<PortalDbContext, TFirst, TSecond, CancellationToken, TResult>> query)
{
    private readonly ConcurrentDictionary<Type, Func<PortalDbContext, TFirst, TSecond, CancellationToken, Task<TResult>>> compiled = new();

    public Task<TResult> RunAsync(PortalDbContext db, TFirst first, TSecond second, CancellationToken cancellationToken) =>
        compiled.GetOrAdd(db.GetType(), _ => EF.CompileAsyncQuery(query))(db, first, second, cancellationToken);
}
