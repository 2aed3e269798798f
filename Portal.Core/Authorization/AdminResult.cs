namespace Portal.Core.Authorization;

/// <summary>
/// The result of an administrator's action: its value, or why it did not happen – refused (<see cref="Refusal"/>) or
/// failed in the database (<see cref="Failure"/>, a message that names the cause and the fix). Nothing changed unless it succeeded.
/// </summary>
public sealed class AdminResult<T>
{
    private readonly T? value;

    internal AdminResult(T? value, AccessRefusal? refusal, string? failure) => (this.value, Refusal, Failure) = (value, refusal, failure);

    /// <summary>The action's result; only there when it <see cref="Succeeded"/>, so a refusal is never read as an answer.</summary>
    public T Value => Succeeded ? value! : throw new InvalidOperationException($"The action did not run: {Refusal?.Message ?? Failure}");

    public AccessRefusal? Refusal { get; }
    public string? Failure { get; }
    public bool Succeeded => Refusal is null && Failure is null;

    public override string ToString() => Succeeded ? $"Done: {value}" : $"Not done: {Refusal?.Message ?? Failure}";
}

/// <summary>Creates <see cref="AdminResult{T}"/> values.</summary>
public static class AdminResult
{
    public static AdminResult<T> Done<T>(T value) => new(value, null, null);

    public static AdminResult<T> Refused<T>(AccessRefusal refusal) => new(default, refusal, null);

    public static AdminResult<T> Failed<T>(string failure) => new(default, null, failure);
}
