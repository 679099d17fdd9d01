package org.scimflow.scim;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.util.function.LongSupplier;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.scim.filter.SqlFilter;
import org.springframework.stereotype.Component;

/**
 * Refuses filters too broad to answer cheaply (RFC 7644 §3.4.2.2 {@code tooMany}): a filter no index
 * narrows, on a table with more rows than {@code scimflow.scim.filter-scan-row-limit}, would read every
 * row for every call. See docs/decisions/0010-filters-in-sql.md.
 */
@Component
public class ListLimits {

    private volatile long scanRowLimit;

    public ListLimits(ScimflowProperties props) {
        this.scanRowLimit = props.getScim().getFilterScanRowLimit();
    }

    /** 400 tooMany when {@code where} needs a full scan of a table estimated above the limit. */
    public void checkScan(SqlFilter where, LongSupplier estimatedRows) throws ScimException {
        if (where.indexed() || scanRowLimit < 0) {
            return;
        }
        long rows = estimatedRows.getAsLong();
        if (rows > scanRowLimit) {
            throw BadRequestException.tooMany("The filter would scan about " + rows + " resources: combine it with"
                    + " an indexed condition (userName, externalId, displayName, id, meta.created, meta.lastModified)"
                    + " using 'and'");
        }
    }

    /**
     * 400 tooMany when {@code sortBy} names an attribute no index orders (a JSON attribute, {@code active})
     * and {@code where} does not narrow the list through an index either, on a table estimated above the
     * limit: every row would be read and sorted for every page.
     */
    public void checkSort(String sortBy, boolean sortIndexed, SqlFilter where, LongSupplier estimatedRows)
            throws ScimException {
        if (sortIndexed || (where.indexed() && where != SqlFilter.TRUE) || scanRowLimit < 0) {
            return;
        }
        long rows = estimatedRows.getAsLong();
        if (rows > scanRowLimit) {
            throw BadRequestException.tooMany("Sorting by '" + sortBy + "' would read and sort about " + rows
                    + " resources: add a filter on an indexed attribute, or sort by userName, displayName,"
                    + " meta.created or meta.lastModified");
        }
    }

    public long scanRowLimit() {
        return scanRowLimit;
    }

    /** For tests that exercise the limit on a small table. */
    void scanRowLimit(long limit) {
        this.scanRowLimit = limit;
    }
}
