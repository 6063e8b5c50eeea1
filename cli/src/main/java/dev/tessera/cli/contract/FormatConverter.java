package dev.tessera.cli.contract;

import dev.tessera.contracts.compatibility.ReportFormat;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --format}, naming the accepted values on error. */
final class FormatConverter implements ITypeConverter<ReportFormat> {
  @Override
  public ReportFormat convert(String value) {
    try {
      return ReportFormat.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "': expected text, json or markdown");
    }
  }
}
