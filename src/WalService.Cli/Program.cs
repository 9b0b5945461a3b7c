using WalService.Cli;

// Standard input is handed over as a StreamReader so that payloads piped to 'walctl write' keep their exact bytes.
using var stdin = new StreamReader(Console.OpenStandardInput());
return await WalCtl.RunAsync(args, Console.Out, Console.Error, stdin);
