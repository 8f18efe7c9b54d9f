namespace TaskQueue;

/// <summary>
/// Marks a task parameter that is not an argument but a service: each run resolves it from a
/// dependency-injection scope made for that run (<see cref="TaskContext.Services"/>), in generated
/// code, without reflection. It is not part of the message nor of the stubs' signatures, and may
/// appear on periodic tasks. ASP.NET Core's <c>[FromServices]</c> works the same.
/// </summary>
/// <example>
/// <code>
/// [Task]
/// public static async Task Ship(int orderId, [FromServices] IOrderStore orders, CancellationToken ct)
///     => await orders.MarkShippedAsync(orderId, ct);
///
/// Ship.Enqueue(42);   // the stub takes the argument only
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class FromServicesAttribute : Attribute
{
}
