using TaskQueue;

namespace PackageApp;

public sealed record Line(string Product, int Quantity, decimal UnitPrice);

public sealed record Order(string Id, List<Line> Lines);

public sealed record Invoice(string OrderId, decimal Total, string PricedBy);

/// <summary>Prices orders: a service the task gets from the container.</summary>
public sealed class Pricing
{
    public decimal Total(Order order) => order.Lines.Sum(l => l.Quantity * l.UnitPrice);
}

public static class OrderTasks
{
    [Task(Retries = 1)]
    public static Invoice PriceOrder(Order order, [FromServices] Pricing pricing, TaskContext context)
        => new(order.Id, pricing.Total(order), context.TaskName);
}
