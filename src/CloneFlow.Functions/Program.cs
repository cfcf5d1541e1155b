using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: HTTP triggers take HttpRequest and return IResult, so the HTTP handlers
// in CloneFlow.Core serve this host and the local `cloneflow serve` host alike.
builder.ConfigureFunctionsWebApplication();

builder.Build().Run();
