package org.scimflow.config;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.scimflow.scim.ScimErrors;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The servlet container's error page ({@code /error}), in place of Spring Boot's: a call no route
 * answered (an unknown path under {@code /scim/v2}, a method nothing serves) gets a SCIM error body like
 * every other refusal of the hub, not Spring's own JSON. The access filter has already given it an
 * {@code X-Request-Id} and records it.
 */
@Controller
public class ScimErrorController implements ErrorController {

    @RequestMapping("/error")
    public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 400 ? i : HttpServletResponse.SC_NOT_FOUND;
        response.resetBuffer();
        ScimErrors.write(response, status, status == 400 ? "invalidSyntax" : null, ScimErrors.detailFor(status));
    }
}
