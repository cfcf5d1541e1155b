using CloneFlow.Core.ServiceNow;

namespace CloneFlow.Core.Tests.ServiceNow;

/// <summary>The places for long reads: how many exports read from one instance at once.</summary>
public class ServiceNowClientReadPlacesTests
{
    private static readonly Uri Instance = new("https://acme.service-now.com");

    [Fact]
    public async Task Only_as_many_readers_as_there_are_places_read_at_once_and_a_released_place_admits_the_next()
    {
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), new ServiceNowClientOptions { MaxConcurrentReads = 2 });
        var first = await client.TakeReadPlaceAsync();
        var second = await client.TakeReadPlaceAsync();

        var third = client.TakeReadPlaceAsync();
        await Task.Delay(50);
        Assert.False(third.IsCompleted);

        first.Dispose();
        first.Dispose();
        using (await third.WaitAsync(TimeSpan.FromSeconds(5)))
        {
            // Released twice, the first place still counts once: a fourth reader waits.
            var fourth = client.TakeReadPlaceAsync();
            await Task.Delay(50);
            Assert.False(fourth.IsCompleted);
            second.Dispose();
            (await fourth.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        }
    }

    [Fact]
    public async Task By_default_as_many_may_read_at_once_as_the_request_limit()
    {
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), new ServiceNowClientOptions { MaxConcurrentRequests = 4 });
        var places = new List<IDisposable>();
        for (var i = 0; i < 4; i++)
        {
            places.Add(await client.TakeReadPlaceAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        }

        var fifth = client.TakeReadPlaceAsync();
        await Task.Delay(50);
        Assert.False(fifth.IsCompleted);
        places[0].Dispose();
        (await fifth.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        places.ForEach(p => p.Dispose());
    }

    [Fact]
    public async Task A_reader_waiting_for_a_place_can_give_up()
    {
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), new ServiceNowClientOptions { MaxConcurrentReads = 1 });
        using var held = await client.TakeReadPlaceAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.TakeReadPlaceAsync(cancel.Token));
    }

    [Fact]
    public void Zero_places_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceNowClientOptions { MaxConcurrentReads = 0 }.Validate());
    }
}
