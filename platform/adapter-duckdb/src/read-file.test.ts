import { describe, expect, it } from 'vitest';
import { readFileSql } from './read-file';

describe('readFileSql', () => {
  it('reads external_location by file extension, or as the reader call written', () => {
    expect(readFileSql('/d/x.csv')).toBe("read_csv_auto('/d/x.csv')");
    expect(readFileSql('/d/*.parquet')).toBe("read_parquet('/d/*.parquet')");
    expect(readFileSql('/d/x.ndjson.gz')).toBe("read_json_auto('/d/x.ndjson.gz')");
    expect(readFileSql("read_csv('/d/x.txt', delim='|')")).toBe("read_csv('/d/x.txt', delim='|')");
    expect(readFileSql("/d/o'neil.csv")).toBe("read_csv_auto('/d/o''neil.csv')");
  });
});
