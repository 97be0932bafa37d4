Console.WriteLine("routerd");
