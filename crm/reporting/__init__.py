"""What a KPI report needs beside the engine: its reads, fingerprint and issuing."""
