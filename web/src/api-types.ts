// Generated from the server's /openapi.json by scripts/api-types.ts (npm run api-types): do not edit.
// The answers are published in src/http/responses.ts; web/src/types.ts names the ones the dashboard reads.
/* eslint-disable */
export interface paths {
    "/v1/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The authenticated account */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccountInfo"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Change the account's name, currency, time zone, default country or revenue basis */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        currency?: string;
                        timeZone?: string;
                        defaultCountry?: string | null;
                        /** @enum {string} */
                        revenueBasis?: "net" | "gross";
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Campaigns with the figures of the home table */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    channel?: "whatsapp" | "sms" | "email" | "mail";
                    status?: string;
                    sort?: "sendAt" | "-sendAt" | "sent" | "-sent" | "openRate" | "-openRate" | "revenue" | "-revenue" | "roas" | "-roas" | "name" | "-name";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignList"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Create a campaign */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @enum {string} */
                        channel: "whatsapp" | "sms" | "email" | "mail";
                        /** @enum {string} */
                        kind?: "manual" | "automatic";
                        sendAt?: string | null;
                        activatedAt?: string | null;
                        /** @enum {string} */
                        status?: "draft" | "scheduled" | "sending" | "paused" | "completed" | "stopped";
                        template?: {
                            name?: string | null;
                            version?: string | null;
                            language?: string | null;
                            /** @enum {string|null} */
                            format?: "text" | "html" | null;
                            content?: string | null;
                        };
                        tags?: string[];
                        budget?: number | null;
                        /** @description No longer accepted: a campaign's fixed cost is `fixedCostMinor` in its cost model (PUT /v1/campaigns/{id}/cost-model). */
                        fixedCost?: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everything the campaign page shows */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignReport"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Update a campaign */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        /** @enum {string} */
                        channel?: "whatsapp" | "sms" | "email" | "mail";
                        /** @enum {string} */
                        kind?: "manual" | "automatic";
                        sendAt?: string | null;
                        activatedAt?: string | null;
                        /** @enum {string} */
                        status?: "draft" | "scheduled" | "sending" | "paused" | "completed" | "stopped";
                        template?: {
                            name?: string | null;
                            version?: string | null;
                            language?: string | null;
                            /** @enum {string|null} */
                            format?: "text" | "html" | null;
                            content?: string | null;
                        };
                        tags?: string[];
                        budget?: number | null;
                        /** @description No longer accepted: a campaign's fixed cost is `fixedCostMinor` in its cost model (PUT /v1/campaigns/{id}/cost-model). */
                        fixedCost?: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        trace?: never;
    };
    "/v1/campaigns/{id}/recipients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A campaign's recipients by status */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    status?: "pending" | "not_sent" | "queued" | "sent" | "delivered" | "opened" | "clicked" | "undelivered" | "bounced";
                    reason?: string;
                    q?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RecipientPage"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/export.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** CSV export of a campaign's recipients and statuses (streamed) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register a campaign's messages (≤ 10,000) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        messages: {
                            recipient: {
                                externalId?: string;
                                email?: string;
                                phone?: string;
                                address?: {
                                    name?: string;
                                    line1?: string;
                                    line2?: string;
                                    postalCode?: string;
                                    city?: string;
                                    country?: string;
                                };
                                firstName?: string;
                                lastName?: string;
                            };
                            provider?: string;
                            providerMessageId?: string;
                            variant?: string;
                            /** @enum {string} */
                            notSentReason?: "invalid_recipient" | "opted_out" | "duplicate" | "budget_exhausted" | "campaign_stopped" | "campaign_paused" | "account_suspended" | "provider_rejected" | "limited_by_provider" | "rate_limited" | "outside_window" | "unreachable" | "blocked" | "spam_filtered" | "provider_error" | "other";
                            /** Format: date-time */
                            registeredAt?: string;
                        }[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RegisteredMessages"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ingest a batch of events (≤ 10,000; all or nothing) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        events: {
                            /** @enum {string} */
                            type: "queued" | "sent" | "delivered" | "failed" | "bounced" | "opened" | "clicked" | "replied" | "lead" | "unsubscribed" | "complained" | "scanned";
                            /** Format: date-time */
                            at: string;
                            messageId?: string;
                            provider?: string;
                            providerMessageId?: string;
                            campaignId?: string;
                            recipient?: string;
                            providerEventId?: string;
                            /** @enum {string} */
                            bounceType?: "soft" | "hard";
                            url?: string;
                            machine?: boolean;
                            flagReason?: string;
                            /** @enum {string} */
                            failureReason?: "invalid_recipient" | "opted_out" | "duplicate" | "budget_exhausted" | "campaign_stopped" | "campaign_paused" | "account_suspended" | "provider_rejected" | "limited_by_provider" | "rate_limited" | "outside_window" | "unreachable" | "blocked" | "spam_filtered" | "provider_error" | "other";
                            failureCode?: string;
                            failureMessage?: string;
                            text?: string;
                            pricingCategory?: string;
                            segments?: number;
                            costMinor?: number;
                        }[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IngestSummary"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/single": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ingest one event */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        type: "queued" | "sent" | "delivered" | "failed" | "bounced" | "opened" | "clicked" | "replied" | "lead" | "unsubscribed" | "complained" | "scanned";
                        /** Format: date-time */
                        at: string;
                        messageId?: string;
                        provider?: string;
                        providerMessageId?: string;
                        campaignId?: string;
                        recipient?: string;
                        providerEventId?: string;
                        /** @enum {string} */
                        bounceType?: "soft" | "hard";
                        url?: string;
                        machine?: boolean;
                        flagReason?: string;
                        /** @enum {string} */
                        failureReason?: "invalid_recipient" | "opted_out" | "duplicate" | "budget_exhausted" | "campaign_stopped" | "campaign_paused" | "account_suspended" | "provider_rejected" | "limited_by_provider" | "rate_limited" | "outside_window" | "unreachable" | "blocked" | "spam_filtered" | "provider_error" | "other";
                        failureCode?: string;
                        failureMessage?: string;
                        text?: string;
                        pricingCategory?: string;
                        segments?: number;
                        costMinor?: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IngestSummary"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Account overview for a period, with the previous period and trends */
        get: {
            parameters: {
                query?: {
                    from?: string;
                    to?: string;
                    channel?: "whatsapp" | "sms" | "email" | "mail";
                    revenueDate?: "send" | "order";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Overview"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/series/daily": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Daily series (messages sent that day and their outcomes) */
        get: {
            parameters: {
                query?: {
                    from?: string;
                    to?: string;
                    channel?: "whatsapp" | "sms" | "email" | "mail";
                    revenueDate?: "send" | "order";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DailySeries"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/{provider}/{accountId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Receive a provider webhook (WhatsApp, Twilio, SendGrid, Mailgun, Postmark); answered after COMMIT */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    provider: string;
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/whatsapp/{accountId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** WhatsApp's subscribe handshake: echoes hub.challenge when hub.verify_token matches */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Each provider: whether a secret is set, since when, and the webhook URL to paste */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ProviderList"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/providers/{provider}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set a provider's webhook secret (never shown back) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    provider: "whatsapp" | "twilio" | "sendgrid" | "mailgun" | "postmark";
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        secret: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        /** Remove a provider's webhook secret: its webhooks are refused from then on */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    provider: "whatsapp" | "twilio" | "sendgrid" | "mailgun" | "postmark";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit trail: who changed what and when, newest first
         * @description Filters: `action` (exact, or a prefix ending in "." such as `key.`), `actor` (a user or key id, an e-mail or a key name), `since` (inclusive) and `until` (exclusive) as ISO date-times.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    action?: string;
                    actor?: string;
                    since?: string;
                    until?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditPage"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in to the dashboard (sets the session cookie) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                        invitation?: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The logged-in person, the open account, every account they may open, and the CSRF token */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Open another account of the logged-in person in this session */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        accountId: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/invitations/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept an invitation to an account as the logged-in person; opens that account */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        token: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change your password (give the current one); ends your other sessions, keeps this one */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        currentPassword: string;
                        newPassword: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionsEnded"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log out everywhere: ends every session of yours, this one included */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionsEnded"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log out (ends the session) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's API keys (never their secrets) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApiKeyList"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Create an API key; the key is in this answer only */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @enum {string} */
                        role?: "owner" | "analyst" | "viewer";
                    };
                };
            };
            responses: {
                /** @description OK */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreatedApiKey"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's dashboard users and their roles */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MemberList"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Add a dashboard user (201), or invite a person who already has a login (202) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                        /** @enum {string} */
                        role: "owner" | "analyst" | "viewer";
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's pending invitations (never their tokens) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InvitationList"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a pending invitation (its token stops working) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a user from the account (never the last owner) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        /** Change a user's role (the last owner stays owner) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        role: "owner" | "analyst" | "viewer";
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        trace?: never;
    };
    "/v1/campaigns/{id}/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A campaign's registered destinations */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Destinations"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Register a campaign's destination URLs (http(s) only, stored percent-encoded) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        destinations: string[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/links/issue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue per-recipient tracked links, QR URL and open pixel */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        messageIds?: string[];
                        /** @constant */
                        all?: true;
                        cursor?: string;
                        limit?: number;
                    } & (unknown | unknown);
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/qr": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Per-recipient QR codes as data URLs, with a manifest (≤ 500 a page) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        messageIds?: string[];
                        /** @constant */
                        all?: true;
                        cursor?: string;
                        limit?: number;
                        /** @enum {string} */
                        format?: "png" | "svg";
                        size?: number;
                        margin?: number;
                        /** @enum {string} */
                        errorCorrection?: "L" | "M" | "Q" | "H";
                    } & (unknown | unknown);
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rewrite": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A message body with every link replaced by the recipient's tracked link */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        messageId: string;
                        body: string;
                        /** @enum {string} */
                        format: "text" | "html";
                        pixel?: boolean;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/links/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a tracked link (its URL answers 404 from now on) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    token: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tracking/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's tracking settings (UTM, click id parameter, bot thresholds, public address of links and QR codes) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TrackingSettings"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change tracking settings */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        utm?: boolean;
                        utmSource?: string;
                        clickIdParam?: string;
                        publicUrl?: string | null;
                        thresholds?: {
                            clickAfterDeliveryMs?: number;
                            linkSweepMs?: number;
                            proxyOpenAfterDeliveryMs?: number;
                            flagGatewayReferer?: boolean;
                        };
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TrackingSettings"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        trace?: never;
    };
    "/v1/journeys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Journeys with their channels, start and figures since the start */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    status?: "active" | "paused";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["JourneyList"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Create a journey, with its steps and their campaigns */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @enum {string} */
                        status?: "active" | "paused";
                        /** Format: date-time */
                        startedAt?: string;
                        steps?: {
                            name: string;
                            /** @enum {string} */
                            channel: "whatsapp" | "sms" | "email" | "mail";
                            delayMinutes?: number;
                            campaignIds?: string[];
                        }[];
                    };
                };
            };
            responses: {
                /** @description OK */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Journey"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/journeys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A journey and its steps */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Journey"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Rename, pause or resume a journey, or move its start */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        /** @enum {string} */
                        status?: "active" | "paused";
                        /** Format: date-time */
                        startedAt?: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        trace?: never;
    };
    "/v1/journeys/{id}/steps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add a step at the end of a journey */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @enum {string} */
                        channel: "whatsapp" | "sms" | "email" | "mail";
                        delayMinutes?: number;
                        campaignIds?: string[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/journeys/{id}/steps/{stepId}/campaigns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Put campaigns in a step (a campaign belongs to one step) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    stepId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        campaignIds: string[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/journeys/{id}/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Journey report from its start to today: chosen figures, by channel, by step */
        get: {
            parameters: {
                query?: {
                    metrics?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["JourneyReport"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/journeys/{id}/steps/{stepId}/recipients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A journey step's recipients (paginated) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path: {
                    id: string;
                    stepId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["StepRecipients"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/journeys/{id}/export.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** CSV export of a journey's recipients, step by step (streamed) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/goals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The goals of a campaign with their progress now and over time */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Goals"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Add a goal to a campaign (a target on a figure, or a segment to shrink) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        kind: "target" | "segment";
                        name?: string;
                        metric?: string;
                        /** @enum {string} */
                        comparator?: ">=" | "<=";
                        target: number;
                        segment?: Record<string, never>;
                    } & ({
                        /** @constant */
                        kind?: "target";
                    } | {
                        /** @constant */
                        kind?: "segment";
                    });
                };
            };
            responses: {
                /** @description OK */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Goal"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/holdout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Keep a share of the campaign's audience as a holdout (set before the first recipient) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        share: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/journeys/{id}/goals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The goals of a journey with their progress now and over time */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Goals"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Add a goal to a journey (a target on a figure, or a segment to shrink) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        kind: "target" | "segment";
                        name?: string;
                        metric?: string;
                        /** @enum {string} */
                        comparator?: ">=" | "<=";
                        target: number;
                        segment?: Record<string, never>;
                    } & ({
                        /** @constant */
                        kind?: "target";
                    } | {
                        /** @constant */
                        kind?: "segment";
                    });
                };
            };
            responses: {
                /** @description OK */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Goal"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/journeys/{id}/holdout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Keep a share of the journey's audience as a holdout (set before the first recipient) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        share: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/goals/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a goal (of a campaign or a journey) and its history */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/audience": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Assign a campaign's audience: each recipient held out or treated (registered, with its variant) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        recipients: {
                            recipient: {
                                externalId?: string;
                                email?: string;
                                phone?: string;
                                address?: {
                                    name?: string;
                                    line1?: string;
                                    line2?: string;
                                    postalCode?: string;
                                    city?: string;
                                    country?: string;
                                };
                                firstName?: string;
                                lastName?: string;
                            };
                            provider?: string;
                            providerMessageId?: string;
                            variant?: string;
                            /** Format: date-time */
                            registeredAt?: string;
                        }[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/variants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every figure per variant, and the comparisons with the control */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["VariantsReport"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Declare a campaign's A/B variants (replaces earlier ones) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        variants: {
                            id: string;
                            name?: string;
                            template?: {
                                name?: string | null;
                                version?: string | null;
                                language?: string | null;
                                /** @enum {string|null} */
                                format?: "text" | "html" | null;
                                content?: string | null;
                            };
                            split: number;
                            isControl?: boolean;
                        }[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/lift": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** True lift: treated against holdout over the attribution window, with 95 % intervals, next to the attributed revenue */
        get: {
            parameters: {
                query?: {
                    windowDays?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Lift"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/journeys/{id}/lift": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A journey's true lift: contacts sent any of its messages against those its holdout kept back, each from its first message */
        get: {
            parameters: {
                query?: {
                    windowDays?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["JourneyLift"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/incrementality": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Incrementality factor per channel (incremental ÷ attributed revenue, pooled over the campaigns with a holdout), its campaigns, and the attribution window that matches it */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Incrementality"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/shopify/{accountId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Shopify order webhooks (orders/create, orders/updated, orders/cancelled, refunds/create), HMAC-verified */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shopify/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether a Shopify app secret is set, and the webhook URL to paste in Shopify */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ShopifySecret"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Set the Shopify app's client secret (never shown again); the previous one may be kept while rotating */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        secret: string;
                        previousSecret?: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Orders, newest first, with their attribution */
        get: {
            parameters: {
                query?: {
                    from?: string;
                    to?: string;
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OrderPage"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Store a batch of orders and refunds (≤ 10,000 in all; all or nothing) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        orders?: {
                            id: string;
                            /** @enum {string} */
                            source?: "api" | "shopify" | "csv";
                            name?: string;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt?: string;
                            currency: string;
                            total: number;
                            tax?: number;
                            shipping?: number;
                            discount?: number;
                            discountCodes?: string[];
                            landingSite?: string;
                            noteAttributes?: {
                                [key: string]: string;
                            };
                            declaredSource?: string | null;
                            customer?: {
                                id?: string;
                                email?: string;
                                phone?: string;
                                address?: {
                                    name?: string;
                                    line1?: string;
                                    line2?: string;
                                    postalCode?: string;
                                    city?: string;
                                    country?: string;
                                };
                                shippingAddress?: {
                                    name?: string;
                                    line1?: string;
                                    line2?: string;
                                    postalCode?: string;
                                    city?: string;
                                    country?: string;
                                };
                            };
                            itemQuantity?: number;
                            cancelledAt?: string | null;
                            refunds?: {
                                id: string;
                                /** Format: date-time */
                                at: string;
                                amount: number;
                                net?: number | null;
                                lines?: {
                                    lineId: string;
                                    quantity?: number;
                                    amount: number;
                                }[];
                            }[];
                            lines?: {
                                id?: string;
                                productId?: string;
                                variantId?: string;
                                sku?: string;
                                title: string;
                                productType?: string;
                                vendor?: string;
                                quantity: number;
                                price: number;
                                discount?: number;
                            }[];
                        }[];
                        refunds?: {
                            id: string;
                            /** Format: date-time */
                            at: string;
                            amount: number;
                            net?: number | null;
                            lines?: {
                                lineId: string;
                                quantity?: number;
                                amount: number;
                            }[];
                            orderId: string;
                            /** @enum {string} */
                            source?: "api" | "shopify" | "csv";
                        }[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import a CSV file of orders (text/csv body, streamed); mapping shopify|billbee|generic or auto-detected */
        post: {
            parameters: {
                query?: {
                    mapping?: "auto" | "shopify" | "billbee" | "generic";
                    columns?: string;
                    timeZone?: string;
                    decimalSeparator?: "." | ",";
                    currency?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{id}/attribution": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Why an order is credited as it is: its contact and matching key, every touch with whether it counted and why, the weights under every model, the credit rows */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OrderAttribution"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/messages/{id}/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The orders a recipient's message may explain: its contact's orders from its send to twice the longest window after, and whether its campaign is credited */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MessageOrders"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attribution/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Revenue per campaign under each attribution model, side by side */
        get: {
            parameters: {
                query?: {
                    from?: string;
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CompareReport"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attribution/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Attribution model, windows per channel and revenue basis */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AttributionSettings"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Change the model, windows (hours, null removes one), half-life or revenue basis; every order is credited again */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        model?: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
                        /** @enum {string} */
                        revenueBasis?: "net" | "gross";
                        halfLifeHours?: number;
                        windowsHours?: {
                            whatsapp?: {
                                click?: number | null;
                                scan?: number | null;
                                open?: number | null;
                                read?: number | null;
                                delivery?: number | null;
                                sent?: number | null;
                            };
                            sms?: {
                                click?: number | null;
                                scan?: number | null;
                                open?: number | null;
                                read?: number | null;
                                delivery?: number | null;
                                sent?: number | null;
                            };
                            email?: {
                                click?: number | null;
                                scan?: number | null;
                                open?: number | null;
                                read?: number | null;
                                delivery?: number | null;
                                sent?: number | null;
                            };
                            mail?: {
                                click?: number | null;
                                scan?: number | null;
                                open?: number | null;
                                read?: number | null;
                                delivery?: number | null;
                                sent?: number | null;
                            };
                        };
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attribution/data-driven": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The data-driven model: its current fit (weights with bootstrap intervals, date, volume, status), what credits orders, a fit in progress */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DataDrivenModel"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attribution/data-driven/fit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Fit the data-driven model now on the last `days` days (default 90); below the minimum of conversions the fit is refused and orders stay credited by the rule model; when the account credits by it, every order is credited again */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        days?: number;
                    } | null;
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DataDrivenFitRun"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/discount-codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A campaign's discount codes */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DiscountCodes"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Replace a campaign's discount codes (orders using them are credited to it) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        codes: string[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/currency-rates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's dated currency rates */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CurrencyRates"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Replace the account's dated currency rates (1 from = rate to, from validFrom) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        rates: {
                            from: string;
                            to: string;
                            rate: string;
                            /** Format: date */
                            validFrom: string;
                        }[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attribution/declared-rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The rules mapping declared sources to channels or campaigns, each with the stored answers it takes */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeclaredRules"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Replace the declared-source rules (first match wins; equals/contains, without case or accents) and re-map every stored answer; ?dryRun=true previews only */
        put: {
            parameters: {
                query?: {
                    dryRun?: boolean;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        attributes?: string[];
                        rules: {
                            /** @enum {string} */
                            match: "equals" | "contains";
                            pattern: string;
                            target: {
                                /** @enum {string} */
                                channel: "whatsapp" | "sms" | "email" | "mail";
                            } | {
                                campaignId: string;
                            } | "other";
                        }[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeclaredRulesUpdate"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attribution/declared": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Declared vs attributed, per channel, for the orders placed in a period (grouped by order time), with the unmapped answers */
        get: {
            parameters: {
                query?: {
                    from?: string;
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeclaredReport"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/conversions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Conversions other than orders, newest first, with their credits under the account model; filters type, from, to */
        get: {
            parameters: {
                query?: {
                    type?: string;
                    from?: string;
                    to?: string;
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConversionPage"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Record one conversion other than an order (sign-up, booking, visit…); the same idempotency key and body answer the same, another body 409 */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        type: string;
                        /** Format: date-time */
                        occurredAt: string;
                        idempotencyKey: string;
                        customer?: {
                            id?: string;
                            email?: string;
                            phone?: string;
                        };
                        value?: number;
                        currency?: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Conversion"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/conversions/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import a CSV file of conversions (text/csv body): type, occurred_at, idempotency_key, email, phone, customer_id, value, currency; all or nothing */
        post: {
            parameters: {
                query?: {
                    timeZone?: string;
                    decimalSeparator?: "." | ",";
                    currency?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConversionImport"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/conversions/types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's conversion types with how many conversions each has */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConversionTypes"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/products/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What sold: attributed revenue, conversions and ROAS per product type or product
         * @description Per product type (`groupBy=type`, the default) or product (`groupBy=product`): the attributed revenue shared to its lines, its conversions (credited orders containing it, fractional as credits are), its spend (each campaign's spend of the period shared by the group's share of the campaign's attributed revenue) and ROAS. `from`/`to` (inclusive days) select credits by the send day of the credited message; `campaignId` keeps one campaign. See docs/ATTRIBUTION.md, "What sold".
         */
        get: {
            parameters: {
                query?: {
                    groupBy?: "type" | "product";
                    from?: string;
                    to?: string;
                    campaignId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ProductReport"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/products/report.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The product report as CSV
         * @description Per product type (`groupBy=type`, the default) or product (`groupBy=product`): the attributed revenue shared to its lines, its conversions (credited orders containing it, fractional as credits are), its spend (each campaign's spend of the period shared by the group's share of the campaign's attributed revenue) and ROAS. `from`/`to` (inclusive days) select credits by the send day of the credited message; `campaignId` keeps one campaign. See docs/ATTRIBUTION.md, "What sold".
         */
        get: {
            parameters: {
                query?: {
                    groupBy?: "type" | "product";
                    from?: string;
                    to?: string;
                    campaignId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/feedback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recipients' feedback: replies, opt-out replies and complaints, with their text
         * @description Replies (`reply`), replies that are an opt-out word such as STOP or ARRET (`opt_out`) and complaints (`complaint`), newest first. Filters: `campaign` (id), `channel`, `kind`, `q` (a keyword: part of the text, any case, accents ignored), `from` (inclusive) and `to` (exclusive) as ISO date-times.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    campaign?: string;
                    channel?: "whatsapp" | "sms" | "email" | "mail";
                    kind?: "reply" | "opt_out" | "complaint";
                    q?: string;
                    from?: string;
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["FeedbackPage"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/feedback/export.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * CSV export of recipients' feedback (streamed), with the list's filters
         * @description Replies (`reply`), replies that are an opt-out word such as STOP or ARRET (`opt_out`) and complaints (`complaint`), newest first. Filters: `campaign` (id), `channel`, `kind`, `q` (a keyword: part of the text, any case, accents ignored), `from` (inclusive) and `to` (exclusive) as ISO date-times.
         */
        get: {
            parameters: {
                query?: {
                    campaign?: string;
                    channel?: "whatsapp" | "sms" | "email" | "mail";
                    kind?: "reply" | "opt_out" | "complaint";
                    q?: string;
                    from?: string;
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/retention": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Retention cohorts: contacts by the month of their first message, and the share active in each later month
         * @description Contacts grouped by the month (account time zone) of their first message sent — on `channel` when given — and, for each month since, the share who engaged (`metric=engaged`: a human open, click, reply or scan; bot and machine-flagged ones do not count) or bought (`metric=purchased`: an order of theirs that month). With the repeat purchase rate, the median days between orders and churn (contacts no longer reachable) per cohort and overall. `months`: how many cohorts, ending with this month (default 12, at most 24). Definitions: docs/RETENTION.md.
         */
        get: {
            parameters: {
                query?: {
                    cohort?: "month";
                    metric?: "engaged" | "purchased";
                    channel?: "whatsapp" | "sms" | "email" | "mail";
                    months?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RetentionCohorts"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Contacts with exactly this e-mail, phone, external id or postal address key (without q: every contact, by id)
         * @description `q` is normalised as contacts are stored (lower-case e-mail, E.164 phone in any written form, address key LINE1|…|POSTCODE|CITY|COUNTRY) and matched exactly, never as a substring.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    q?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ContactPage"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One contact: identifiers, opt-outs per channel and why, suppression entries, lifetime orders and revenue, first and last engagement, messages per channel
         * @description Money in minor units of the account currency; credited revenue under the account's attribution model. 404 for a contact of another account, or erased.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ContactDetail"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        /** Erase a contact: identifiers removed everywhere, figures unchanged, kept on the suppression list as a one-way hash */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErasureSummary"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One contact's timeline across channels, newest first: messages, clicks, scans, replies, opt-outs, orders with each campaign's credit
         * @description Ordered by time, then order before event before message at the same instant, then id: a stable order, paged by `cursor`.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ContactTimeline"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everything Mesure holds on one contact (JSON): identifiers, opt-outs, suppressions, messages and their events, visits, orders and their credits */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ContactExport"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts/erase": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Erase whoever an e-mail, phone, external id or postal address names (with or without a contact) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email?: string;
                        phone?: string;
                        externalId?: string;
                        address?: {
                            name?: string;
                            line1: string;
                            line2?: string;
                            postalCode: string;
                            city: string;
                            country?: string;
                        };
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErasureSummary"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/sends": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ask the send gate for a batch of recipients (≤ 10,000): each allowed with its reserved cost, or refused with a reason */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        recipients: {
                            externalId?: string;
                            email?: string;
                            phone?: string;
                            address?: {
                                name?: string;
                                line1?: string;
                                line2?: string;
                                postalCode?: string;
                                city?: string;
                                country?: string;
                            };
                            firstName?: string;
                            lastName?: string;
                            text?: string;
                            segments?: number;
                            country?: string;
                            /** @enum {string} */
                            pricingCategory?: "marketing" | "utility" | "authentication" | "service";
                            letterFormat?: string;
                        }[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/sends/commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The provider accepted these messages: their cost becomes used */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        messageIds: string[];
                        provider?: string;
                        providerMessageIds?: (string | null)[];
                        costs?: (number | null)[];
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/sends/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** These messages will not be sent: their reserved cost is freed */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        messageIds: string[];
                        /** @enum {string} */
                        reason?: "invalid_recipient" | "opted_out" | "duplicate" | "budget_exhausted" | "campaign_stopped" | "campaign_paused" | "account_suspended" | "provider_rejected" | "limited_by_provider" | "rate_limited" | "outside_window" | "unreachable" | "blocked" | "spam_filtered" | "provider_error" | "other";
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/budget": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's budget card (KPIS.md) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Budget"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/budget": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A campaign's budget: used, reserved, remaining */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignBudget"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/budget/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Monthly budget, invoice grace period and reservation TTL */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BudgetSettings"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Set the monthly budget, invoice grace period or reservation TTL */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        monthlyBudget?: number | null;
                        graceDays?: number;
                        reservationTtlSeconds?: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BudgetSettings"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/cost-model": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's cost model (prices in thousandths of a minor unit) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Replace the account's cost model */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        currency?: string;
                        whatsapp?: {
                            marketing?: {
                                [key: string]: number;
                            };
                            utility?: {
                                [key: string]: number;
                            };
                            authentication?: {
                                [key: string]: number;
                            };
                            service?: {
                                [key: string]: number;
                            };
                        };
                        sms?: {
                            perSegment: {
                                [key: string]: number;
                            };
                        };
                        email?: {
                            perMessage: number;
                        };
                        mail?: {
                            homeCountry?: string;
                            formats: {
                                [key: string]: {
                                    printing: number;
                                    enveloping: number;
                                    postage: {
                                        [key: string]: number;
                                    };
                                };
                            };
                        };
                        fixedCostMinor?: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/campaigns/{id}/cost-model": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A campaign's cost override and the merged model it prices with */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Set a campaign's cost override (merged key by key over the account's model) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        whatsapp?: {
                            marketing?: {
                                [key: string]: number;
                            };
                            utility?: {
                                [key: string]: number;
                            };
                            authentication?: {
                                [key: string]: number;
                            };
                            service?: {
                                [key: string]: number;
                            };
                        };
                        sms?: {
                            perSegment?: {
                                [key: string]: number;
                            };
                        };
                        email?: {
                            perMessage?: number;
                        };
                        mail?: {
                            homeCountry?: string;
                            formats?: {
                                [key: string]: {
                                    printing?: number;
                                    enveloping?: number;
                                    postage?: {
                                        [key: string]: number;
                                    };
                                };
                            };
                        };
                        fixedCostMinor?: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        /** Remove a campaign's cost override */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/suppressions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The suppression list */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    channel?: "whatsapp" | "sms" | "email" | "mail";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SuppressionList"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Add an address to the suppression list */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        channel: "whatsapp" | "sms" | "email" | "mail";
                        address: string;
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Remove an address from the suppression list */
        delete: {
            parameters: {
                query: {
                    channel: "whatsapp" | "sms" | "email" | "mail";
                    address: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/suppressions/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import a CSV (channel,address,reason); rejected lines are reported with their numbers */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/suppressions/export.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The suppression list as CSV (streamed) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invoices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's invoices */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Record an invoice (or its new state) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        id: string;
                        number?: string | null;
                        amountDue: number;
                        amountRemaining?: number | null;
                        currency: string;
                        dueAt?: string | null;
                        payUrl?: string | null;
                        /** @enum {string} */
                        status: "open" | "paid" | "void" | "uncollectible";
                        paidAt?: string | null;
                        overdue?: boolean;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invoices/unpaid": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The unpaid invoice warning: amount, earliest due date, pay link, overdue, suspension date */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UnpaidInvoices"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stripe/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set the Stripe webhook signing secret (whsec_…); never shown again */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        secret: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/stripe/{accountId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stripe invoice events (signed with Stripe-Signature) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts/endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alert endpoints (secrets are never shown) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AlertEndpointList"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Add (or re-key) an alert endpoint; without a secret one is generated and shown once */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: uri */
                        url: string;
                        secret?: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AlertEndpoint"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts/endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an alert endpoint */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The alert delivery log, newest first, with every attempt */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    type?: "budget.80" | "budget.100" | "campaign.stopped" | "invoice.overdue" | "account.suspended";
                    status?: "pending" | "delivered" | "failed";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A member's scheduled e-mail report: frequency, language, day and hour, next sending, last run, and whether SMTP is configured */
        get: {
            parameters: {
                query?: {
                    userId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReportSettings"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Set a member's scheduled e-mail report (a changed schedule counts from now: no report for a slot already past) */
        put: {
            parameters: {
                query?: {
                    userId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        frequency?: "off" | "weekly" | "monthly";
                        /** @enum {string} */
                        language?: "fr" | "en";
                        /** @description 1 = Monday … 7 = Sunday (weekly reports). */
                        dayOfWeek?: number;
                        /** @description 1 … 28 (monthly reports). */
                        dayOfMonth?: number;
                        /** @description The hour of sending, in the account's time zone. */
                        hour?: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReportSettings"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every member's scheduled e-mail report settings and last run */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReportSettingsList"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports/send": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a member's report for the period just ended now, whatever its schedule; the run says whether the SMTP server took it */
        post: {
            parameters: {
                query?: {
                    userId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReportRun"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/retention/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How long IP addresses and user agents, and per-recipient rows, are kept */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RetentionSettings"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        /** Set how long IP addresses and user agents, and per-recipient rows, are kept (applied by the daily retention job) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        visitorDetailsDays?: number;
                        recipientRowsDays?: number | null;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RetentionSettings"];
                    };
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ingestion/dead-letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Items ingestion could not apply after their tries (dead letters), oldest first, with their errors */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ingestion/dead-letters/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Apply a dead letter again: removed if it applies, kept with its new error otherwise */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ingestion/dead-letters/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Discard a dead letter for good (what it carried is not applied) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Figures: {
            /** @description Messages registered for the campaign: every recipient it targeted, including those refused before sending. */
            audience: number;
            /** @description Messages accepted by the provider, or letters printed and shipped. */
            sent: number;
            /** @description sent / audience. A fraction; null when the denominator is 0. */
            sendRate: number | null;
            /** @description audience − sent. */
            notSent: number;
            /** @description Sent messages with a delivery signal (or implied by a human read, open, click or reply); letters: = sent. */
            delivered: number;
            /** @description delivered / sent. A fraction; null when the denominator is 0. */
            deliveryRate: number | null;
            /** @description Sent messages that finally failed. */
            undelivered: number;
            /** @description undelivered / sent. A fraction; null when the denominator is 0. */
            undeliveredRate: number | null;
            /** @description Soft bounces. */
            bouncesSoft: number;
            /** @description Hard bounces. */
            bouncesHard: number;
            /** @description Soft + hard bounces. */
            bounces: number;
            /** @description bounces / sent. A fraction; null when the denominator is 0. */
            bounceRate: number | null;
            /** @description Delivered messages with at least one human open (unique opens; a WhatsApp read is an open). */
            opened: number;
            /** @description opened / delivered; null for channels without an open signal (SMS, letters). A fraction; null when the denominator is 0. */
            openRate: number | null;
            /** @description All human open events. */
            totalOpens: number;
            /** @description totalOpens / opened. A fraction; null when the denominator is 0. */
            opensPerOpener: number | null;
            /** @description Opens by machines (mail privacy proxies), kept apart from the human figures. */
            machineOpens: number;
            /** @description Messages with at least one human click on a tracked link (unique clicks). */
            clicked: number;
            /** @description clicked / delivered (CTR). A fraction; null when the denominator is 0. */
            clickRate: number | null;
            /** @description All human click events. */
            totalClicks: number;
            /** @description totalClicks / clicked. A fraction; null when the denominator is 0. */
            clicksPerClicker: number | null;
            /** @description clicked / opened. A fraction; null when the denominator is 0. */
            clickToOpenRate: number | null;
            /** @description Clicks by bots and link scanners, kept apart from the human figures. */
            botClicks: number;
            /** @description Messages with a reply. */
            replied: number;
            /** @description replied / delivered. A fraction; null when the denominator is 0. */
            engagementRate: number | null;
            /** @description Messages with a reply or a lead event. */
            leads: number;
            /** @description spend / leads, in minor units (cost per lead). A fraction; null when the denominator is 0. */
            cpl: number | null;
            /** @description Sent messages whose recipient opted out from it. */
            unsubscribed: number;
            /** @description unsubscribed / delivered. A fraction; null when the denominator is 0. */
            unsubscribeRate: number | null;
            /** @description unsubscribed + hard bounces. */
            noLongerReachable: number;
            /** @description Spam complaints. */
            abuseReports: number;
            /** @description abuseReports / delivered. A fraction; null when the denominator is 0. */
            abuseRate: number | null;
            /** @description Total scans of the campaign's QR codes or personal URLs. */
            qrScans: number;
            /** @description Distinct recipients who scanned. */
            qrScanners: number;
            /** @description qrScanners / sent. A fraction; null when the denominator is 0. */
            scanRate: number | null;
            /** @description Orders attributed to the campaign. */
            conversions: number;
            /** @description Distinct recipients with at least one attributed order. */
            converters: number;
            /** @description converters / delivered. A fraction; null when the denominator is 0. */
            conversionRate: number | null;
            /** @description conversions / delivered. A fraction; null when the denominator is 0. */
            orderRate: number | null;
            /** @description Attributed order revenue, net of refunds and cancellations, on the account basis; minor units. */
            revenue: number;
            /** @description Revenue of orders with a direct touch (click, scan, code); minor units. */
            revenueDirect: number;
            /** @description revenue − revenueDirect; minor units. */
            revenueInfluenced: number;
            /** @description Revenue of credited orders that are their contact's first order in the shop's history (new customers); minor units. Orders no contact matched are in neither part. */
            revenueNew: number;
            /** @description Revenue of credited orders of contacts who had ordered before (returning customers); minor units. */
            revenueReturning: number;
            /** @description Credited orders of new customers. */
            conversionsNew: number;
            /** @description Credited orders of returning customers. */
            conversionsReturning: number;
            /** @description revenue / conversions, in minor units. A fraction; null when the denominator is 0. */
            averageOrderValue: number | null;
            /** @description revenue / conversions, in minor units (RPC). A fraction; null when the denominator is 0. */
            revenuePerConversion: number | null;
            /** @description items / conversions. A fraction; null when the denominator is 0. */
            itemsPerOrder: number | null;
            /** @description revenue / delivered, in minor units. A fraction; null when the denominator is 0. */
            revenuePerRecipient: number | null;
            /** @description Committed cost of the campaign's messages plus its fixed cost; minor units. */
            spend: number;
            /** @description spend / delivered, in minor units. A fraction; null when the denominator is 0. */
            costPerRecipient: number | null;
            /** @description revenue / spend. A fraction; null when the denominator is 0. */
            roas: number | null;
            /** @description (revenue − spend) / spend. A fraction; null when the denominator is 0. */
            roi: number | null;
            /** @description spend / conversions, in minor units. A fraction; null when the denominator is 0. */
            cpa: number | null;
        };
        FigureSelection: {
            /** @description Messages registered for the campaign: every recipient it targeted, including those refused before sending. */
            audience?: number;
            /** @description Messages accepted by the provider, or letters printed and shipped. */
            sent?: number;
            /** @description sent / audience. A fraction; null when the denominator is 0. */
            sendRate?: number | null;
            /** @description audience − sent. */
            notSent?: number;
            /** @description Sent messages with a delivery signal (or implied by a human read, open, click or reply); letters: = sent. */
            delivered?: number;
            /** @description delivered / sent. A fraction; null when the denominator is 0. */
            deliveryRate?: number | null;
            /** @description Sent messages that finally failed. */
            undelivered?: number;
            /** @description undelivered / sent. A fraction; null when the denominator is 0. */
            undeliveredRate?: number | null;
            /** @description Soft bounces. */
            bouncesSoft?: number;
            /** @description Hard bounces. */
            bouncesHard?: number;
            /** @description Soft + hard bounces. */
            bounces?: number;
            /** @description bounces / sent. A fraction; null when the denominator is 0. */
            bounceRate?: number | null;
            /** @description Delivered messages with at least one human open (unique opens; a WhatsApp read is an open). */
            opened?: number;
            /** @description opened / delivered; null for channels without an open signal (SMS, letters). A fraction; null when the denominator is 0. */
            openRate?: number | null;
            /** @description All human open events. */
            totalOpens?: number;
            /** @description totalOpens / opened. A fraction; null when the denominator is 0. */
            opensPerOpener?: number | null;
            /** @description Opens by machines (mail privacy proxies), kept apart from the human figures. */
            machineOpens?: number;
            /** @description Messages with at least one human click on a tracked link (unique clicks). */
            clicked?: number;
            /** @description clicked / delivered (CTR). A fraction; null when the denominator is 0. */
            clickRate?: number | null;
            /** @description All human click events. */
            totalClicks?: number;
            /** @description totalClicks / clicked. A fraction; null when the denominator is 0. */
            clicksPerClicker?: number | null;
            /** @description clicked / opened. A fraction; null when the denominator is 0. */
            clickToOpenRate?: number | null;
            /** @description Clicks by bots and link scanners, kept apart from the human figures. */
            botClicks?: number;
            /** @description Messages with a reply. */
            replied?: number;
            /** @description replied / delivered. A fraction; null when the denominator is 0. */
            engagementRate?: number | null;
            /** @description Messages with a reply or a lead event. */
            leads?: number;
            /** @description spend / leads, in minor units (cost per lead). A fraction; null when the denominator is 0. */
            cpl?: number | null;
            /** @description Sent messages whose recipient opted out from it. */
            unsubscribed?: number;
            /** @description unsubscribed / delivered. A fraction; null when the denominator is 0. */
            unsubscribeRate?: number | null;
            /** @description unsubscribed + hard bounces. */
            noLongerReachable?: number;
            /** @description Spam complaints. */
            abuseReports?: number;
            /** @description abuseReports / delivered. A fraction; null when the denominator is 0. */
            abuseRate?: number | null;
            /** @description Total scans of the campaign's QR codes or personal URLs. */
            qrScans?: number;
            /** @description Distinct recipients who scanned. */
            qrScanners?: number;
            /** @description qrScanners / sent. A fraction; null when the denominator is 0. */
            scanRate?: number | null;
            /** @description Orders attributed to the campaign. */
            conversions?: number;
            /** @description Distinct recipients with at least one attributed order. */
            converters?: number;
            /** @description converters / delivered. A fraction; null when the denominator is 0. */
            conversionRate?: number | null;
            /** @description conversions / delivered. A fraction; null when the denominator is 0. */
            orderRate?: number | null;
            /** @description Attributed order revenue, net of refunds and cancellations, on the account basis; minor units. */
            revenue?: number;
            /** @description Revenue of orders with a direct touch (click, scan, code); minor units. */
            revenueDirect?: number;
            /** @description revenue − revenueDirect; minor units. */
            revenueInfluenced?: number;
            /** @description Revenue of credited orders that are their contact's first order in the shop's history (new customers); minor units. Orders no contact matched are in neither part. */
            revenueNew?: number;
            /** @description Revenue of credited orders of contacts who had ordered before (returning customers); minor units. */
            revenueReturning?: number;
            /** @description Credited orders of new customers. */
            conversionsNew?: number;
            /** @description Credited orders of returning customers. */
            conversionsReturning?: number;
            /** @description revenue / conversions, in minor units. A fraction; null when the denominator is 0. */
            averageOrderValue?: number | null;
            /** @description revenue / conversions, in minor units (RPC). A fraction; null when the denominator is 0. */
            revenuePerConversion?: number | null;
            /** @description items / conversions. A fraction; null when the denominator is 0. */
            itemsPerOrder?: number | null;
            /** @description revenue / delivered, in minor units. A fraction; null when the denominator is 0. */
            revenuePerRecipient?: number | null;
            /** @description Committed cost of the campaign's messages plus its fixed cost; minor units. */
            spend?: number;
            /** @description spend / delivered, in minor units. A fraction; null when the denominator is 0. */
            costPerRecipient?: number | null;
            /** @description revenue / spend. A fraction; null when the denominator is 0. */
            roas?: number | null;
            /** @description (revenue − spend) / spend. A fraction; null when the denominator is 0. */
            roi?: number | null;
            /** @description spend / conversions, in minor units. A fraction; null when the denominator is 0. */
            cpa?: number | null;
        };
        Template: {
            name: string | null;
            version: string | null;
            language: string | null;
            /** @enum {string|null} */
            format: "text" | "html" | null;
            content: string | null;
        };
        Campaign: {
            id: string;
            name: string;
            slug: string;
            /** @enum {string} */
            channel: "whatsapp" | "sms" | "email" | "mail";
            /** @enum {string} */
            kind: "manual" | "automatic";
            /** @enum {string} */
            status: "draft" | "scheduled" | "sending" | "paused" | "completed" | "stopped";
            statusReason: string | null;
            /** Format: date-time */
            sendAt: string | null;
            /** Format: date-time */
            activatedAt: string | null;
            template: components["schemas"]["Template"];
            tags: string[];
            /** @description Minor units; null: no budget. */
            budget: number | null;
            /**
             * @description Set when the stored budget is beyond the accepted bound: shown as null.
             * @constant
             */
            budgetOutOfRange?: true;
            /** @description Counted once in spend; minor units. */
            fixedCost: number;
            /**
             * @description Set when the stored fixed cost is beyond the accepted bound: counted as 0.
             * @constant
             */
            fixedCostOutOfRange?: true;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        CampaignListItem: {
            id: string;
            name: string;
            /** @enum {string} */
            channel: "whatsapp" | "sms" | "email" | "mail";
            /** @enum {string} */
            status: "draft" | "scheduled" | "sending" | "paused" | "completed" | "stopped";
            statusReason: string | null;
            /** @enum {string} */
            kind: "manual" | "automatic";
            /**
             * Format: date-time
             * @description Send date, or activation date of an automatic campaign.
             */
            sendAt: string | null;
            /** Format: date-time */
            activatedAt: string | null;
            tags: string[];
            /** @description Messages registered for the campaign: every recipient it targeted, including those refused before sending. */
            audience: number;
            /** @description Messages accepted by the provider, or letters printed and shipped. */
            sent: number;
            /** @description opened / delivered; null for channels without an open signal (SMS, letters). A fraction; null when the denominator is 0. */
            openRate: number | null;
            /** @description clicked / delivered (CTR). A fraction; null when the denominator is 0. */
            clickRate: number | null;
            /** @description Attributed order revenue, net of refunds and cancellations, on the account basis; minor units. */
            revenue: number;
            /** @description revenue / spend. A fraction; null when the denominator is 0. */
            roas: number | null;
            /** @description Committed cost of the campaign's messages plus its fixed cost; minor units. */
            spend: number;
            /** @description Orders attributed to the campaign. */
            conversions: number;
            /** @description Revenue of credited orders that are their contact's first order in the shop's history (new customers); minor units. Orders no contact matched are in neither part. */
            revenueNew: number;
            /** @description Revenue of credited orders of contacts who had ordered before (returning customers); minor units. */
            revenueReturning: number;
            /** @description Credited orders of new customers. */
            conversionsNew: number;
            /** @description Credited orders of returning customers. */
            conversionsReturning: number;
        };
        CampaignList: {
            items: components["schemas"]["CampaignListItem"][];
            nextCursor: string | null;
            total: number;
        };
        FunnelStep: {
            /** @enum {string} */
            step: "audience" | "sent" | "engaged" | "converters";
            count: number;
            /** @description count / audience. A fraction; null when the denominator is 0. */
            shareOfAudience: number | null;
            /** @description 1 − count / previous step; null for the first step. A fraction; null when the denominator is 0. */
            dropOff: number | null;
        };
        ReferenceCheck: {
            figure: string;
            value: number | null;
            low: number;
            high: number;
            best: number | null;
            /** @enum {string|null} */
            position: "below" | "within" | "above" | null;
            atBest: boolean;
        };
        Goal: {
            id: string;
            name: string;
            /** @enum {string} */
            kind: "target" | "segment";
            /** @description In the figure's unit (a fraction for rates, minor units for money); members for a segment goal. */
            target: number | null;
            /** @constant */
            targetOutOfRange?: true;
            /** Format: date-time */
            createdAt: string;
            /** @description A figure of KPIS.md by its API name; membersLeft for a segment goal. */
            metric: string;
            /** @enum {string|null} */
            comparator?: ">=" | "<=" | null;
            /** @enum {string} */
            unit?: "count" | "money" | "rate" | "ratio";
            segment?: {
                [key: string]: unknown;
            };
            value: number | null;
            /** @description Share of the way, in [0, 1]; 1 once achieved. */
            progress: number | null;
            achieved: boolean;
            /** Format: date */
            firstAchievedDate?: string | null;
            membersAtStart?: number;
            remaining?: number;
            /** Format: date-time */
            achievedAt?: string | null;
            points: {
                /** Format: date */
                date: string;
                value: number | null;
                achieved: boolean;
                progress: number | null;
            }[];
        };
        Goals: {
            goals: components["schemas"]["Goal"][];
        };
        Variant: {
            variant: string;
            name: string;
            template: {
                name?: string | null;
                version?: string | null;
                language?: string | null;
                /** @enum {string|null} */
                format?: "text" | "html" | null;
                content?: string | null;
            };
            split: number | null;
            isControl: boolean;
            /** @description False for a variant found on messages but never declared. */
            declared: boolean;
            figures: components["schemas"]["Figures"];
        };
        VariantComparison: {
            /** @enum {string} */
            metric: "open_rate" | "click_rate" | "conversion_rate" | "revenue_per_recipient";
            control: {
                id: string;
                n: number;
                value: number | null;
            };
            variant: {
                id: string;
                n: number;
                value: number | null;
            };
            difference: number | null;
            relativeLift: number | null;
            confidence: number;
            low: number | null;
            high: number | null;
            pValue: number | null;
            probabilityToBeatControl: number | null;
            /** @enum {string} */
            method: "z_test_newcombe_interval" | "welch_t_test";
            /** @enum {string} */
            verdict: "not_enough_data" | "no_significant_difference" | "variant_wins" | "control_wins";
            reason: string | null;
        };
        VariantsReport: {
            control?: string;
            variants: components["schemas"]["Variant"][];
            tests: {
                /** @enum {string} */
                metric: "openRate" | "clickRate" | "conversionRate" | "revenuePerRecipient";
                /** @enum {string} */
                verdict: "not_enough_data" | "no_significant_difference" | "winner";
                winner: string | null;
                /** @enum {string} */
                correction: "none" | "holm";
                comparisons: components["schemas"]["VariantComparison"][];
            }[];
            /** @description Messages of the campaign without a variant. */
            unassigned: number;
        };
        CampaignBudget: {
            currency: string;
            /** @description Minor units; null: no budget. */
            budget: number | null;
            /** @description Committed cost; minor units. */
            used: number;
            /** @description Cost reserved by the send gate, not yet committed or released; minor units. */
            reserved: number;
            /** @description budget − used − reserved; null without a budget. */
            remaining: number | null;
            /** @description used / budget. A fraction; null when the denominator is 0. */
            usedShare: number | null;
            /** @enum {string} */
            status: "draft" | "scheduled" | "sending" | "paused" | "completed" | "stopped";
            statusReason: string | null;
            openReservations: number;
        };
        CampaignReport: {
            campaign: components["schemas"]["Campaign"];
            figures: components["schemas"]["Figures"];
            notSent: {
                reason: string;
                count: number;
            }[];
            flagged: {
                /** @enum {string} */
                kind: "open" | "click";
                reason: string;
                count: number;
            }[];
            links: {
                url: string;
                totalClicks: number;
                uniqueClicks: number;
            }[];
            funnel: components["schemas"]["FunnelStep"][];
            reference: components["schemas"]["ReferenceCheck"][];
            goals: components["schemas"]["Goal"][];
            variants: components["schemas"]["Variant"][];
            budget: components["schemas"]["CampaignBudget"] | null;
            /** @description Incremental revenue and ROAS: from the campaign's own holdout, else its channel's factor × its attributed revenue (GET /v1/incrementality). */
            incrementality: {
                /** @enum {string} */
                source: "own_holdout" | "channel_factor" | "none";
                incrementalRevenueMinor: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                /** @description Incremental revenue ÷ spend. */
                incrementalRoas: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                /** @description Incremental ÷ attributed revenue: its own, or its channel’s. */
                factor: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
            } | null;
            /** @description The campaign's replies, opt-out replies and complaints (GET /v1/feedback?campaign= lists them). */
            feedback: components["schemas"]["FeedbackCounts"];
            conversionsByType: components["schemas"]["ConversionsByType"];
            /** @description The campaign's top product types and products by attributed revenue, all time (docs/ATTRIBUTION.md, "What sold"). */
            products: components["schemas"]["CampaignProducts"];
        };
        CampaignProductRow: {
            /** @description The product type, or the product (its id, else its SKU, else its title); null: not known (an order without lines, a line without type). */
            key: string | null;
            /** @description The type, or the product title. */
            label: string | null;
            /** @description Attributed revenue shared to the group's lines; minor units. */
            revenue: number;
            /** @description Credited orders containing the group, each at the campaign's weight of the order (fractional as credits are). */
            conversions: number;
            /** @description Of the campaign's attributed revenue. A fraction; null when the denominator is 0. */
            revenueShare: number | null;
        };
        CampaignProducts: {
            currency: string;
            types: components["schemas"]["CampaignProductRow"][];
            products: components["schemas"]["CampaignProductRow"][];
        };
        ProductGroup: {
            /** @description The product type, or the product (its id, else its SKU, else its title); null: not known (an order without lines, a line without type). */
            key: string | null;
            /** @description The type, or the product title. */
            label: string | null;
            /** @description Attributed revenue: each credited order's credit shared among its lines by their value after discounts and refunds; minor units. */
            revenue: number;
            /** @description Credited orders containing the group, each counted at its credit weight (fractional as credits are). */
            conversions: number;
            /** @description Σ over the campaigns crediting the group: the campaign's spend of the period × the group's share of the campaign's attributed revenue of the period; minor units, rounded. */
            spend: number;
            /** @description revenue / spend. A fraction; null when the denominator is 0. */
            roas: number | null;
            /** @description Campaigns that credited the group. */
            campaigns: number;
        };
        ProductReport: {
            /** @enum {string} */
            groupBy: "type" | "product";
            period: {
                /** Format: date */
                from: string | null;
                /** Format: date */
                to: string | null;
            };
            campaignId: string | null;
            currency: string;
            /** @enum {string} */
            model: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
            items: components["schemas"]["ProductGroup"][];
            totals: {
                /** @description Minor units of the currency. */
                revenue: number;
                /** @description Spend of the campaigns that credited any group. */
                spend: number;
                /** @description revenue / spend. A fraction; null when the denominator is 0. */
                roas: number | null;
            };
        };
        Recipient: {
            messageId: string;
            recipient: string;
            contactId: string | null;
            /** @enum {string} */
            status: "pending" | "not_sent" | "queued" | "sent" | "delivered" | "opened" | "clicked" | "undelivered" | "bounced";
            failureReason: string | null;
            failureCode: string | null;
            bounceType: string | null;
            variant: string | null;
            providerMessageId: string | null;
            /** Format: date-time */
            sentAt: string | null;
            /** Format: date-time */
            deliveredAt: string | null;
            /** Format: date-time */
            openedAt: string | null;
            /** Format: date-time */
            clickedAt: string | null;
            /** Format: date-time */
            repliedAt: string | null;
            /** Format: date-time */
            unsubscribedAt: string | null;
            opens: number;
            clicks: number;
            machineOpens: number;
            botClicks: number;
            scans: number;
            /** @description Minor units of the currency. */
            cost: number;
        };
        RecipientPage: {
            items: components["schemas"]["Recipient"][];
            nextCursor: string | null;
        };
        KpiCard: {
            value: number | null;
            /** @description The value over the previous period of the same length. */
            previous: number | null;
            /** @description (value − previous) / previous. A fraction; null when the denominator is 0. */
            trend: number | null;
            /**
             * @description Which direction is good (down for costs).
             * @enum {string}
             */
            good: "up" | "down";
        };
        Overview: {
            period: {
                /** Format: date */
                from: string;
                /** Format: date */
                to: string;
            };
            previousPeriod: {
                /** Format: date */
                from: string;
                /** Format: date */
                to: string;
            };
            currency: string;
            timeZone: string;
            /**
             * @description send: on the send date of the credited message (the default, as KPIS.md says); order: on the order date, as the shop counts it.
             * @enum {string}
             */
            revenueDate: "send" | "order";
            cards: {
                ordersImported: components["schemas"]["KpiCard"];
                messagesSent: components["schemas"]["KpiCard"];
                spend: components["schemas"]["KpiCard"];
                conversions: components["schemas"]["KpiCard"];
                revenue: components["schemas"]["KpiCard"];
                cpa: components["schemas"]["KpiCard"];
                conversionRate: components["schemas"]["KpiCard"];
                qrScansClicks: components["schemas"]["KpiCard"];
                /** @description MER (marketing efficiency ratio): revenue of every order placed in the period, credited or not / all spend of the period (whatever revenueDate says). */
                mer: components["schemas"]["KpiCard"];
            };
            figures: components["schemas"]["Figures"];
            /** @description Orders in a currency no rate converts, reported apart (never added to the account's revenue). */
            unconvertedOrders: {
                currency: string;
                orders: number;
                revenueMinor: number;
            }[];
        };
        DayFigures: {
            /** Format: date */
            date: string;
            sent: number;
            delivered: number;
            opened: number;
            clicked: number;
            scans: number;
            conversions: number;
            /** @description Credited revenue counted on that day: of the messages sent that day (revenueDate send), or of the orders placed that day (order); minor units. */
            revenue: number;
            /** @description Minor units of the currency. */
            spend: number;
        };
        DailySeries: {
            /**
             * @description send: on the send date of the credited message (the default, as KPIS.md says); order: on the order date, as the shop counts it.
             * @enum {string}
             */
            revenueDate: "send" | "order";
            days: components["schemas"]["DayFigures"][];
        };
        Incrementality: {
            currency: string;
            confidence: number;
            channels: {
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                /** @description Σ incremental ÷ Σ attributed revenue over the channel's pooled holdout campaigns, with its interval; null without one. */
                factor: {
                    estimate: number;
                    low: number;
                    high: number;
                    campaigns: number;
                    standardError: number;
                    /** @enum {string} */
                    variance: "within" | "between";
                } | null;
                /** @description The attribution window whose revenue is closest to the measured incremental revenue. */
                suggestion: {
                    windowHours: number;
                    /** @description The treated recipients' order revenue within that window of their message, over the pooled campaigns. */
                    revenueWithinMinor: number;
                    incrementalMinor: number;
                    candidates: {
                        windowHours: number;
                        revenueWithinMinor: number;
                    }[];
                    /** @description The body of PUT /v1/attribution/settings windowsHours for this channel that applies the suggestion. */
                    windowsHours: {
                        [key: string]: number;
                    };
                } | null;
            }[];
            campaigns: {
                campaignId: string;
                name: string;
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                holdoutShare: number;
                /** @enum {string} */
                status: "ok" | "not_enough_data";
                reason: string | null;
                windowDays: number;
                /** @description Minor units of the currency. */
                attributedRevenueMinor: number;
                incrementalRevenueMinor: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                /** @description Its own incremental ÷ attributed revenue. */
                factor: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                /** @description Part of its channel's factor (enough data, attributed revenue above zero). */
                pooled: boolean;
            }[];
        };
        Lift: {
            campaignId: string;
            /** @enum {string|null} */
            holdoutOf: "campaign" | "journey" | null;
            currency: string;
            /** @description Share of the audience held out. */
            holdoutShare: number;
            windowDays: number;
            /** @enum {string} */
            status: "ok" | "not_enough_data";
            reason: string | null;
            confidence: number;
            treated: {
                /** @description Contacts in the group. */
                n: number;
                converters: number;
                /** @description converters / n. A fraction; null when the denominator is 0. */
                conversionRate: number | null;
                conversionRateInterval: {
                    low: number;
                    high: number;
                } | null;
                /** @description Revenue in the window / n, in minor units. A fraction; null when the denominator is 0. */
                revenuePerRecipient: number | null;
                revenuePerRecipientInterval: {
                    low: number;
                    high: number;
                } | null;
            };
            holdout: {
                /** @description Contacts in the group. */
                n: number;
                converters: number;
                /** @description converters / n. A fraction; null when the denominator is 0. */
                conversionRate: number | null;
                conversionRateInterval: {
                    low: number;
                    high: number;
                } | null;
                /** @description Revenue in the window / n, in minor units. A fraction; null when the denominator is 0. */
                revenuePerRecipient: number | null;
                revenuePerRecipientInterval: {
                    low: number;
                    high: number;
                } | null;
            };
            conversion: {
                rateDifference: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                incrementalConversions: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                lift: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                pValue: number | null;
                /** @enum {string} */
                verdict: "not_enough_data" | "no_significant_difference" | "positive" | "negative";
            };
            revenue: {
                perRecipientDifference: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                incrementalRevenueMinor: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                lift: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                pValue: number | null;
                /** @enum {string} */
                verdict: "not_enough_data" | "no_significant_difference" | "positive" | "negative";
            };
            /** @description Minor units of the currency. */
            attributedRevenueMinor: number;
            /** @description Incremental revenue / attributed revenue. */
            causedShareOfAttributed: {
                estimate: number;
                low: number;
                high: number;
            } | null;
        };
        Budget: {
            currency: string;
            /** @description Sum of the budgets of active campaigns (or the monthly budget); minor units. */
            total: number;
            /** @description Committed (billed) cost of sent messages; minor units. */
            used: number;
            /** @description Cost of messages being processed by the send gate; minor units. */
            reserved: number;
            /** @description total − used − reserved; minor units. */
            remaining: number;
            /** @description Spend of the last 7 days / 7; minor units. */
            dailyAverage: number;
            /** @description remaining / dailyAverage; null when the daily average is 0. */
            forecastDays: number | null;
            /** @enum {string} */
            light: "green" | "amber" | "red";
            /** @description remaining / total. A fraction; null when the denominator is 0. */
            remainingShare: number | null;
            /** @description Minor units of the currency. */
            spendLast7Days: number;
            period: {
                /** Format: date */
                from: string;
                /** Format: date */
                to: string;
            };
            campaigns: number;
            monthlyBudget: number | null;
            /** Format: date-time */
            asOf: string;
        };
        JourneyListItem: {
            id: string;
            name: string;
            /** @enum {string} */
            status: "active" | "paused";
            channels: ("whatsapp" | "sms" | "email" | "mail")[];
            /** Format: date-time */
            startedAt: string | null;
            steps: number;
            campaigns: number;
            /** @description Audience of its campaigns. */
            messages: number;
            /** @description Messages accepted by the provider, or letters printed and shipped. */
            sent: number;
            /** @description opened / delivered; null for channels without an open signal (SMS, letters). A fraction; null when the denominator is 0. */
            openRate: number | null;
            /** @description clicked / delivered (CTR). A fraction; null when the denominator is 0. */
            clickRate: number | null;
        };
        JourneyList: {
            items: components["schemas"]["JourneyListItem"][];
            nextCursor: string | null;
            total: number;
        };
        JourneyReport: {
            journey: components["schemas"]["JourneyListItem"];
            period: {
                /** Format: date */
                from: string;
                /** Format: date */
                to: string;
            };
            currency: string;
            metrics: components["schemas"]["FigureSelection"];
            channels: {
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                figures: components["schemas"]["FigureSelection"];
            }[];
            steps: {
                id: string;
                position: number;
                name: string;
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                delayMinutes: number;
                campaignIds: string[];
                audience: number;
                sent: number;
                delivered: number;
                /** @description opened / delivered; null for channels without an open signal (SMS, letters). A fraction; null when the denominator is 0. */
                openRate: number | null;
                /** @description clicked / delivered (CTR). A fraction; null when the denominator is 0. */
                clickRate: number | null;
            }[];
            messages: {
                campaignId: string;
                stepId: string;
                name: string;
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                sent: number;
                /** @description opened / delivered; null for channels without an open signal (SMS, letters). A fraction; null when the denominator is 0. */
                openRate: number | null;
                /** @description clicked / delivered (CTR). A fraction; null when the denominator is 0. */
                clickRate: number | null;
            }[];
        };
        Order: {
            id: string;
            externalId: string;
            source: string;
            name: string | null;
            /** Format: date-time */
            orderedAt: string;
            currency: string;
            /** @description Minor units of the currency. */
            gross: number;
            /** @description Minor units of the currency. */
            tax: number;
            /** @description Minor units of the currency. */
            shipping: number;
            /** @description Minor units of the currency. */
            net: number;
            /** @description Minor units of the currency. */
            discount: number;
            discountCodes: string[];
            landingSite: string | null;
            utm: {
                source: string | null;
                medium: string | null;
                campaign: string | null;
                content: string | null;
            };
            clickId: string | null;
            itemQuantity: number;
            /** Format: date-time */
            cancelledAt: string | null;
            /** @description Minor units of the currency. */
            refunded: number;
            /** @description Revenue on the account basis, in minor units of revenueCurrency. */
            revenue: number;
            revenueCurrency: string;
            /** @description False when no rate converts the order into the account's currency: its revenue is reported apart. */
            converted: boolean;
            customer: {
                externalId: string | null;
                email: string | null;
                phone: string | null;
            };
            contactId: string | null;
            matchedBy: string | null;
            /** @description What the buyer said brought them, as they wrote it, and where the account's rules map it (null: no rule matches); null when nothing was declared or the buyer was erased. */
            declaredSource: {
                text: string;
                target: ({
                    /** @enum {string} */
                    channel: "whatsapp" | "sms" | "email" | "mail";
                } | {
                    campaignId: string;
                } | "other") | null;
            } | null;
            attribution: {
                /** @enum {string} */
                model: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
                direct: boolean | null;
                credits: {
                    campaignId: string;
                    messageId: string | null;
                    /** @enum {string|null} */
                    channel: "whatsapp" | "sms" | "email" | "mail" | null;
                    kind: string;
                    weight: number;
                    /** @description Minor units of the currency. */
                    revenue: number;
                    /** Format: date */
                    cohortDay: string | null;
                }[];
            };
        };
        OrderPage: {
            items: components["schemas"]["Order"][];
            nextCursor: string | null;
        };
        Conversion: {
            id: string;
            /** @description The slug the account gave the kind of conversion (signup, booking, store_visit…). */
            type: string;
            /** Format: date-time */
            occurredAt: string;
            idempotencyKey: string;
            /** @enum {string} */
            source: "api" | "csv";
            customer: {
                id: string | null;
                email: string | null;
                phone: string | null;
            };
            contactId: string | null;
            /** @description The key that matched the person to a contact: customer_id, email, phone (or erased). */
            matchedBy: string | null;
            /** @description The value given, in minor units of currency; null: none. Never added to order revenue. */
            value: number | null;
            currency: string | null;
            /** @description The credit rows under the account's model, the same engine and rounding as an order's; empty: no eligible touch. */
            credits: {
                campaignId: string;
                messageId: string | null;
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                kind: string;
                weight: number;
                weightMicro: number;
                /** @description The credited part of the value (in the account currency when a rate converts it). */
                value: number;
                currency: string;
                direct: boolean;
            }[];
        };
        ConversionPage: {
            /** @enum {string} */
            model: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
            items: components["schemas"]["Conversion"][];
            nextCursor: string | null;
        };
        ConversionTypes: {
            types: {
                type: string;
                count: number;
            }[];
        };
        ConversionImport: {
            lines: number;
            conversions: number;
            created: number;
            /** @description Rows whose idempotency key and content were already stored. */
            unchanged: number;
            rejected: number;
            rejections: {
                line: number;
                reason: string;
            }[];
        };
        /** @description Conversions other than orders credited to the campaign, per type (docs/ATTRIBUTION.md, 'Conversions other than orders'). */
        ConversionsByType: {
            [key: string]: {
                /** @description Conversions of the type with a credit row for the campaign. */
                count: number;
                /** @description The sum of the campaign's shares of them under the account model (fractional credit). */
                credited: number;
                /** @description The campaign's credited part of their values, account currency; shown apart, never added to revenue. */
                value: number;
            };
        };
        OrderAttribution: {
            order: {
                id: string;
                externalId: string;
                name: string | null;
                /** Format: date-time */
                orderedAt: string;
                /** @description Revenue on the account basis, in minor units of revenueCurrency. */
                revenue: number;
                revenueCurrency: string;
                cancelled: boolean;
            };
            /** @description The contact the order was matched to; null when no key of the buyer matched or made one. */
            contact: {
                id: string;
                /** @description The key that matched the buyer to the contact: customer_id, email, phone, address (or erased). */
                matchedBy: string | null;
                /** @description That key's value as the order gave it (null for an address or an erased buyer). */
                key: string | null;
            } | null;
            /**
             * @description The account's model: the one whose credits are stored.
             * @enum {string}
             */
            model: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
            models: ("last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven")[];
            /** @description Time decay: a touch loses half its weight per this many milliseconds before the newest one. */
            halfLifeMs: number;
            /** @description True when the counted touches are direct (click, scan, UTM, code), false when influence only, null when none counted. */
            direct: boolean | null;
            /** @description The span searched for touches: twice the longest window before the order, a week after it. */
            looked: {
                /** Format: date-time */
                from: string;
                /** Format: date-time */
                to: string;
            };
            /** @description Every touch around the order, oldest first, with the verdict of the code that computes the credits. */
            touches: {
                campaignId: string;
                campaignName: string | null;
                messageId: string | null;
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                /** @enum {string} */
                kind: "click" | "scan" | "utm" | "code" | "open" | "read" | "delivery" | "sent";
                /** @description A direct kind of touch (click, scan, UTM, code); otherwise influence (open, read, delivery, sent). */
                direct: boolean;
                /** Format: date-time */
                at: string;
                /** @description Order time − touch time (negative: after the order). */
                ageMs: number;
                /**
                 * @description How the touch reached the order: a message of the matched contact, or the order's landing click id, utm_campaign or discount code.
                 * @enum {string}
                 */
                via: "contact" | "click_id" | "utm" | "code";
                /** @description The click id, utm_campaign or code (null for the contact's messages). */
                viaValue: string | null;
                counted: boolean;
                /**
                 * @description Why it did not count; null when it counted.
                 * @enum {string|null}
                 */
                reason: "order_cancelled" | "machine_open" | "bot_click" | "after_order" | "no_window" | "outside_window" | "duplicate" | "beaten_by_direct" | null;
                /** @description Its window (a counted touch, or one outside it). */
                windowMs: number | null;
                /** @description outside_window: by how much the touch is older than its window. */
                beyondMs: number | null;
                /** @description after_order: how long after the order it happened. */
                afterMs: number | null;
                /** @description machine_open, bot_click: why ingestion flagged it. */
                flagReason: string | null;
                /** @description A counted touch's share of the order under each model (each model's shares sum to 1); null when not counted. */
                shares: {
                    last_touch: number;
                    first_touch: number;
                    linear: number;
                    position_based: number;
                    time_decay: number;
                    data_driven: number;
                } | null;
            }[];
            /** @description The credit rows each model gives this order. */
            credits: {
                last_touch: components["schemas"]["ExplainedCredit"][];
                first_touch: components["schemas"]["ExplainedCredit"][];
                linear: components["schemas"]["ExplainedCredit"][];
                position_based: components["schemas"]["ExplainedCredit"][];
                time_decay: components["schemas"]["ExplainedCredit"][];
                data_driven: components["schemas"]["ExplainedCredit"][];
            };
            /** @description The credit rows stored for the order under the account's model (what every figure sums). */
            stored: {
                /** @enum {string} */
                model: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
                campaignId: string;
                campaignName: string | null;
                messageId: string | null;
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                kind: string;
                weight: number;
                weightMicro: number;
                /** @description Minor units of the currency. */
                revenue: number;
                currency: string;
                direct: boolean;
                /** Format: date */
                cohortDay: string;
            }[];
            /** @description The stored rows equal the account model's computed credits (false only while a recompute is under way). */
            storedMatches: boolean;
        };
        MessageOrders: {
            messageId: string;
            campaignId: string;
            contactId: string | null;
            /** @enum {string} */
            model: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
            /** @description The contact's orders from the message's send to twice the longest window after it, oldest first (at most 50). */
            items: {
                id: string;
                externalId: string;
                name: string | null;
                /** Format: date-time */
                orderedAt: string;
                /** @description Minor units of the currency. */
                revenue: number;
                revenueCurrency: string;
                /** @description The message's campaign is credited with the order under the account's model. */
                credited: boolean;
                /** @description That credit's revenue (minor units); null when not credited. */
                creditRevenue: number | null;
            }[];
        };
        ExplainedCredit: {
            campaignId: string;
            campaignName: string | null;
            messageId: string | null;
            /** @enum {string} */
            channel: "whatsapp" | "sms" | "email" | "mail";
            kind: string;
            weight: number;
            /** @description The share in millionths; the rows sum to 1,000,000. */
            weightMicro: number;
            /** @description Minor units of the currency. */
            revenue: number;
            direct: boolean;
        };
        ModelFigures: {
            conversions: number;
            weightedConversions: number;
            /** @description Minor units of the currency. */
            revenue: number;
            /** @description Minor units of the currency. */
            revenueDirect: number;
            /** @description Minor units of the currency. */
            revenueInfluenced: number;
        };
        DeclaredRules: {
            /** @description Note attribute names read as the declared source (Shopify), tried in this order, without case. */
            attributes: string[];
            /** @description In order: the first rule an answer matches (without case or accents) maps it. */
            rules: {
                /** @enum {string} */
                match: "equals" | "contains";
                pattern: string;
                /** @description Where a rule maps an answer: a channel, a campaign, or 'other'. */
                target: {
                    /** @enum {string} */
                    channel: "whatsapp" | "sms" | "email" | "mail";
                } | {
                    campaignId: string;
                } | "other";
                /** @description Stored answers (orders) this rule takes: each answer counts for the first rule it matches. */
                matches: number;
            }[];
            /** @description Orders with a declared source. */
            answers: number;
            /** @description Of them, answers no rule matches. */
            unmapped: number;
        };
        DeclaredRulesUpdate: {
            /** @description Note attribute names read as the declared source (Shopify), tried in this order, without case. */
            attributes: string[];
            /** @description In order: the first rule an answer matches (without case or accents) maps it. */
            rules: {
                /** @enum {string} */
                match: "equals" | "contains";
                pattern: string;
                /** @description Where a rule maps an answer: a channel, a campaign, or 'other'. */
                target: {
                    /** @enum {string} */
                    channel: "whatsapp" | "sms" | "email" | "mail";
                } | {
                    campaignId: string;
                } | "other";
                /** @description Stored answers (orders) this rule takes: each answer counts for the first rule it matches. */
                matches: number;
            }[];
            /** @description Orders with a declared source. */
            answers: number;
            /** @description Of them, answers no rule matches. */
            unmapped: number;
            /** @description Stored answers mapped again under the new rules (pages of 500, one transaction each) and how many changed target; null for a dry run. */
            remapped: {
                answers: number;
                changed: number;
                pages: number;
            } | null;
        };
        DeclaredReport: {
            period: {
                /** Format: date */
                from: string;
                /** Format: date */
                to: string;
            };
            /** @enum {string} */
            groupedBy: "order_time";
            currency: string;
            /** @enum {string} */
            model: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
            /** @description Orders placed in the period. */
            orders: number;
            /** @description Of them, orders with a declared source. */
            answered: number;
            channels: {
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                /** @description Orders whose declared source maps to this channel (or to a campaign of it). */
                declaredOrders: number;
                /** @description Their revenue on the account basis, in the account currency (unconverted orders count 0). */
                declaredRevenue: number;
                /** @description Orders with a credit on this channel under the account's model. */
                attributedOrders: number;
                /** @description What this channel's campaigns were credited with for the period's orders under the account's model. */
                attributedRevenue: number;
                /** @description Orders that declared this channel and are credited to it. */
                overlapOrders: number;
            }[];
            /** @description Answers mapped to 'other' (a word of mouth, a search…): declared, but not a channel Mesure sends on. */
            other: {
                orders: number;
                /** @description Minor units of the currency. */
                revenue: number;
            };
            /** @description Answers no rule maps, and the 20 most frequent (grouped without case or accents). */
            unmapped: {
                orders: number;
                top: {
                    text: string;
                    orders: number;
                }[];
            };
        };
        CompareReport: {
            period: {
                /** Format: date */
                from: string;
                /** Format: date */
                to: string;
            };
            /** @enum {string} */
            groupedBy: "order_time";
            currency: string;
            /** @enum {string} */
            accountModel: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
            models: ("last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven")[];
            orders: number;
            /**
             * @description What the data_driven column follows: data_driven (the account's fit) or, without a fit, the account's rule model.
             * @enum {string}
             */
            dataDrivenBy: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
            campaigns: {
                campaignId: string;
                slug: string | null;
                /** @enum {string|null} */
                channel: "whatsapp" | "sms" | "email" | "mail" | null;
                currency: string;
                byModel: {
                    last_touch: components["schemas"]["ModelFigures"];
                    first_touch: components["schemas"]["ModelFigures"];
                    linear: components["schemas"]["ModelFigures"];
                    position_based: components["schemas"]["ModelFigures"];
                    time_decay: components["schemas"]["ModelFigures"];
                    data_driven: components["schemas"]["ModelFigures"];
                };
            }[];
        };
        AccountInfo: {
            id: string;
            name: string;
            currency: string;
            timeZone: string;
            defaultCountry: string | null;
            suspended: boolean;
            /** @description Stored settings (revenue basis, attribution, public URL…). */
            settings: {
                [key: string]: unknown;
            };
        };
        Session: {
            user: {
                id: string;
                email: string;
                /** @enum {string} */
                role: "owner" | "analyst" | "viewer";
            };
            account: {
                id: string;
                name: string;
                currency: string;
                timeZone: string;
                defaultCountry: string | null;
            };
            /** @description Every account the person may open, most recently used first. */
            accounts: {
                id: string;
                name: string;
                /** @enum {string} */
                role: "owner" | "analyst" | "viewer";
            }[];
            csrfToken: string;
        };
        Journey: {
            id: string;
            name: string;
            /** @enum {string} */
            status: "active" | "paused";
            /** Format: date-time */
            startedAt: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            steps: {
                id: string;
                position: number;
                name: string;
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                delayMinutes: number;
                campaignIds: string[];
            }[];
        };
        JourneyLift: {
            journeyId: string;
            campaignIds: string[];
            /** @description Campaigns of the journey with a holdout of their own, left out of the journey holdout. */
            campaignsWithOwnHoldout: string[];
            /** @description Contacts held out by the journey that still got a message (counted in the holdout, as assigned). */
            heldOutWithMessages: number;
            currency: string;
            /** @description Share of the audience held out. */
            holdoutShare: number;
            windowDays: number;
            /** @enum {string} */
            status: "ok" | "not_enough_data";
            reason: string | null;
            confidence: number;
            treated: {
                /** @description Contacts in the group. */
                n: number;
                converters: number;
                /** @description converters / n. A fraction; null when the denominator is 0. */
                conversionRate: number | null;
                conversionRateInterval: {
                    low: number;
                    high: number;
                } | null;
                /** @description Revenue in the window / n, in minor units. A fraction; null when the denominator is 0. */
                revenuePerRecipient: number | null;
                revenuePerRecipientInterval: {
                    low: number;
                    high: number;
                } | null;
            };
            holdout: {
                /** @description Contacts in the group. */
                n: number;
                converters: number;
                /** @description converters / n. A fraction; null when the denominator is 0. */
                conversionRate: number | null;
                conversionRateInterval: {
                    low: number;
                    high: number;
                } | null;
                /** @description Revenue in the window / n, in minor units. A fraction; null when the denominator is 0. */
                revenuePerRecipient: number | null;
                revenuePerRecipientInterval: {
                    low: number;
                    high: number;
                } | null;
            };
            conversion: {
                rateDifference: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                incrementalConversions: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                lift: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                pValue: number | null;
                /** @enum {string} */
                verdict: "not_enough_data" | "no_significant_difference" | "positive" | "negative";
            };
            revenue: {
                perRecipientDifference: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                incrementalRevenueMinor: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                lift: {
                    estimate: number;
                    low: number;
                    high: number;
                } | null;
                pValue: number | null;
                /** @enum {string} */
                verdict: "not_enough_data" | "no_significant_difference" | "positive" | "negative";
            };
            /** @description Minor units of the currency. */
            attributedRevenueMinor: number;
            /** @description Incremental revenue / attributed revenue. */
            causedShareOfAttributed: {
                estimate: number;
                low: number;
                high: number;
            } | null;
        };
        BudgetSettings: {
            /** @description Minor units; null: none. */
            monthlyBudget: number | null;
            graceDays: number;
            reservationTtlSeconds: number;
            stripeWebhookSecretSet: boolean;
            /** @description The secret's last four characters (…a1b2), never the secret; null: none set. */
            stripeWebhookSecretHint: string | null;
        };
        UnpaidInvoices: {
            count: number;
            overdueCount?: number;
            /** @description Of the main currency; minor units. */
            total?: number;
            currency?: string;
            totals?: {
                currency: string;
                /** @description Minor units of the currency. */
                total: number;
            }[];
            /** Format: date-time */
            earliestDue?: string | null;
            payUrl?: string | null;
            overdue?: boolean;
            /** Format: date-time */
            suspendsAt?: string | null;
            suspended?: boolean;
            graceDays?: number;
        };
        RetentionSettings: {
            /** @description Days a raw event or visit (click, open, scan) keeps its IP address and user agent. */
            visitorDetailsDays: number;
            /** @description Days per-recipient rows (messages, their events and visits, waiting events, holdout members) are kept; null: for ever. */
            recipientRowsDays: number | null;
        };
        ReportRun: {
            id: string;
            /** @enum {string} */
            kind: "scheduled" | "manual";
            /** @description The address it went (or was to go) to. */
            to: string;
            period: {
                /** Format: date */
                from: string;
                /** Format: date */
                to: string;
            };
            /** @enum {string} */
            language: "fr" | "en";
            /**
             * @description sent: the SMTP server accepted it; failed: see error (a scheduled report is tried again at the next tick, up to 5 times).
             * @enum {string}
             */
            status: "sending" | "sent" | "failed";
            attempts: number;
            error: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            sentAt: string | null;
        };
        ReportSettings: {
            userId: string;
            email: string;
            /** @enum {string} */
            frequency: "off" | "weekly" | "monthly";
            /** @enum {string} */
            language: "fr" | "en";
            /** @description 1 = Monday … 7 = Sunday. */
            dayOfWeek: number;
            /** @description 1 … 28. */
            dayOfMonth: number;
            /** @description 0 … 23, in the account's time zone. */
            hour: number;
            timeZone: string;
            /**
             * Format: date-time
             * @description The next scheduled sending; null when reports are off.
             */
            nextSendAt: string | null;
            lastRun: components["schemas"]["ReportRun"] | null;
            smtp: {
                /** @description MESURE_SMTP_URL is set: reports can be sent. */
                configured: boolean;
                from: string;
                /** @description The address the reports' links start with (MESURE_PUBLIC_URL). */
                dashboardUrl: string;
                /** @description What to configure, in words; null when nothing is missing. */
                help: string | null;
            };
        };
        ReportSettingsList: {
            items: {
                userId: string;
                email: string;
                /** @enum {string} */
                frequency: "off" | "weekly" | "monthly";
                /** @enum {string} */
                language: "fr" | "en";
                dayOfWeek: number;
                dayOfMonth: number;
                hour: number;
                timeZone: string;
                /** Format: date-time */
                nextSendAt: string | null;
                lastRun: components["schemas"]["ReportRun"] | null;
            }[];
            nextCursor: string | null;
            smtp: {
                configured: boolean;
                from: string;
                dashboardUrl: string;
                help: string | null;
            };
        };
        TrackingSettings: {
            utm: boolean;
            utmSource: string;
            clickIdParam: string;
            thresholds: {
                clickAfterDeliveryMs: number;
                linkSweepMs: number;
                proxyOpenAfterDeliveryMs: number;
                flagGatewayReferer: boolean;
            };
            /** @description The address the account's links and QR codes are written with; null: the server's MESURE_PUBLIC_URL. */
            publicUrl: string | null;
        };
        DataDrivenModel: {
            /** @enum {string} */
            status: "fitted" | "insufficient_data" | "never";
            /** Format: date-time */
            fittedAt: string | null;
            trigger: ("manual" | "scheduled") | null;
            period: {
                /** Format: date */
                from: string;
                /** Format: date */
                to: string;
            } | null;
            /** @description Converting paths the fit learnt from (orders with a counted touch in the period). */
            conversions: number;
            /** @description Paths the fit learnt from, converting and not. */
            paths: number;
            /** @description Below this many conversions the model is not fitted. */
            minConversions: number;
            /** @description Why the fit was refused; null when fitted or never run. */
            reason: string | null;
            /** @description The Markov chain's probability of conversion from the start. */
            pConversion: number | null;
            resamples: number | null;
            channels: {
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                /** @description Shapley value (channels, in conversion-rate units) or removal effect (campaigns, 0 to 1). */
                value: number;
                /** @description value / the sum of the values of its kind. */
                share: number;
                /** @description 2.5th percentile of the share over the bootstrap resamples. */
                low: number;
                /** @description 97.5th percentile of the share over the bootstrap resamples. */
                high: number;
            }[];
            campaigns: {
                campaignId: string;
                /** @description Shapley value (channels, in conversion-rate units) or removal effect (campaigns, 0 to 1). */
                value: number;
                /** @description value / the sum of the values of its kind. */
                share: number;
                /** @description 2.5th percentile of the share over the bootstrap resamples. */
                low: number;
                /** @description 97.5th percentile of the share over the bootstrap resamples. */
                high: number;
            }[];
            /** @description Whether the account credits its orders by data_driven. */
            selected: boolean;
            /** @enum {string} */
            fallbackModel: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay";
            /** @description When selected: data_driven, or the rule model orders fall back to without a fit; null when not selected. */
            creditedBy: ("last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven") | null;
            /** @description A fit in progress on this node. */
            running: {
                /** @enum {string} */
                stage: "converting_paths" | "other_paths" | "fitting" | "crediting";
                done: number;
                total: number | null;
            } | null;
        };
        DataDrivenFitRun: {
            fit: {
                /** @enum {string} */
                status: "fitted" | "insufficient_data" | "never";
                /** Format: date-time */
                fittedAt: string | null;
                trigger: ("manual" | "scheduled") | null;
                period: {
                    /** Format: date */
                    from: string;
                    /** Format: date */
                    to: string;
                } | null;
                /** @description Converting paths the fit learnt from (orders with a counted touch in the period). */
                conversions: number;
                /** @description Paths the fit learnt from, converting and not. */
                paths: number;
                /** @description Below this many conversions the model is not fitted. */
                minConversions: number;
                /** @description Why the fit was refused; null when fitted or never run. */
                reason: string | null;
                /** @description The Markov chain's probability of conversion from the start. */
                pConversion: number | null;
                resamples: number | null;
                channels: {
                    /** @enum {string} */
                    channel: "whatsapp" | "sms" | "email" | "mail";
                    /** @description Shapley value (channels, in conversion-rate units) or removal effect (campaigns, 0 to 1). */
                    value: number;
                    /** @description value / the sum of the values of its kind. */
                    share: number;
                    /** @description 2.5th percentile of the share over the bootstrap resamples. */
                    low: number;
                    /** @description 97.5th percentile of the share over the bootstrap resamples. */
                    high: number;
                }[];
                campaigns: {
                    campaignId: string;
                    /** @description Shapley value (channels, in conversion-rate units) or removal effect (campaigns, 0 to 1). */
                    value: number;
                    /** @description value / the sum of the values of its kind. */
                    share: number;
                    /** @description 2.5th percentile of the share over the bootstrap resamples. */
                    low: number;
                    /** @description 97.5th percentile of the share over the bootstrap resamples. */
                    high: number;
                }[];
            };
            /** @description Every order credited again (when the account credits by data_driven); else null. */
            recomputed: {
                orders: number;
                credited: number;
                credits: number;
                seconds: number;
            } | null;
        };
        AttributionSettings: {
            /**
             * @description The rule model data_driven credits by while it has no fit.
             * @enum {string}
             */
            fallbackModel: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay";
            /** @enum {string} */
            model: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
            models: ("last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven")[];
            /** @enum {string} */
            revenueBasis: "net" | "gross";
            halfLifeHours: number;
            /** @description Attribution windows in hours, per channel and window kind (click, open, read, delivery, scan, sent); null: no window of that kind. */
            windowsHours: {
                whatsapp: {
                    [key: string]: number | null;
                };
                sms: {
                    [key: string]: number | null;
                };
                email: {
                    [key: string]: number | null;
                };
                mail: {
                    [key: string]: number | null;
                };
            };
        };
        ProviderList: {
            items: {
                provider: string;
                configured: boolean;
                /** Format: date-time */
                updatedAt: string | null;
                /** @description The secret's last four characters (…a1b2), never the secret; null: none set. */
                secretHint: string | null;
                webhookUrl: string;
                /** @description Webhook deliveries seen by this server process. */
                deliveries: {
                    /** @description Epoch ms: counted since this process started. */
                    since: number;
                    received: number;
                    stored: number;
                    duplicates: number;
                    refused: number;
                    unreadable: number;
                    eventsApplied: number;
                    eventsPending: number;
                    eventsDuplicate: number;
                    itemsSkipped: number;
                    lastReceivedAt: number | null;
                    lastRefusal: {
                        at: number;
                        reason: string;
                    } | null;
                };
            }[];
        };
        ApiKeyList: {
            items: {
                id: string;
                name: string;
                /** @enum {string} */
                role: "owner" | "analyst" | "viewer";
                prefix: string;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastUsedAt: string | null;
                /** Format: date-time */
                revokedAt: string | null;
            }[];
            nextCursor: string | null;
        };
        CreatedApiKey: {
            id: string;
            name: string;
            /** @enum {string} */
            role: "owner" | "analyst" | "viewer";
            /** @description The secret key, shown in this answer only. */
            key: string;
        };
        Member: {
            id: string;
            email: string;
            /** @enum {string} */
            role: "owner" | "analyst" | "viewer";
            /** Format: date-time */
            createdAt: string;
        };
        MemberList: {
            items: components["schemas"]["Member"][];
            nextCursor: string | null;
        };
        Invitation: {
            id: string;
            email: string;
            /** @enum {string} */
            role: "owner" | "analyst" | "viewer";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            expiresAt: string;
        };
        InvitationList: {
            items: components["schemas"]["Invitation"][];
            nextCursor: string | null;
        };
        AlertEndpoint: {
            id: string;
            url: string;
            /** Format: date-time */
            createdAt: string;
            /** @description The signing secret's last four characters (…a1b2). */
            secretHint: string;
            /** @description Shown once, when Mesure generated it. */
            secret?: string;
        };
        AlertEndpointList: {
            items: components["schemas"]["AlertEndpoint"][];
        };
        ShopifySecret: {
            configured: boolean;
            /** @description The secret's last four characters (…a1b2), never the secret; null: none set. */
            secretHint: string | null;
            webhookUrl: string;
        };
        IngestSummary: {
            received: number;
            /** @description Events applied to their message. */
            applied: number;
            /** @description Events already received (ignored). */
            duplicates: number;
            /** @description Events whose message is not registered yet: kept, applied when it is. */
            pending: number;
            /** @description Of the pending ones, those not already waiting. */
            newlyPending?: number;
        };
        RegisteredMessages: {
            messages: {
                index: number;
                messageId: string;
                /** @description The address the message is recorded under. */
                recipient: string;
                /** @enum {string} */
                status: "pending" | "not_sent" | "queued" | "sent" | "delivered" | "opened" | "clicked" | "undelivered" | "bounced";
                /** @description Registered before (same recipient in the campaign): not created again. */
                existing: boolean;
            }[];
            created: number;
            existing: number;
        };
        StepRecipients: {
            step: {
                id: string;
                name: string;
                position: number;
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
            };
            items: {
                campaignId: string;
                messageId: string;
                recipient: string;
                contactId: string | null;
                /** @enum {string} */
                status: "pending" | "not_sent" | "queued" | "sent" | "delivered" | "opened" | "clicked" | "undelivered" | "bounced";
                failureReason: string | null;
                failureCode: string | null;
                bounceType: string | null;
                variant: string | null;
                providerMessageId: string | null;
                /** Format: date-time */
                sentAt: string | null;
                /** Format: date-time */
                deliveredAt: string | null;
                /** Format: date-time */
                openedAt: string | null;
                /** Format: date-time */
                clickedAt: string | null;
                /** Format: date-time */
                repliedAt: string | null;
                /** Format: date-time */
                unsubscribedAt: string | null;
                opens: number;
                clicks: number;
                machineOpens: number;
                botClicks: number;
                scans: number;
                /** @description Minor units of the currency. */
                cost: number;
            }[];
            nextCursor: string | null;
        };
        Destinations: {
            destinations: {
                position: number;
                url: string;
            }[];
        };
        DiscountCodes: {
            campaignId: string;
            codes: string[];
        };
        CurrencyRates: {
            rates: {
                from: string;
                to: string;
                /** @description A decimal number as text: 1 from = rate to. */
                rate: string;
                /** Format: date-time */
                validFrom: string;
            }[];
        };
        AuditEntry: {
            /** @description Entries sort newest first by id; the cursor of the next page is the last id. */
            id: string;
            /** Format: date-time */
            at: string;
            actor: {
                /** @enum {string} */
                type: "user" | "key";
                /** @description The user (usr_…) or API key (key_…). */
                id: string;
                /** @description The user's e-mail or the key's name at the time of the action. */
                name: string;
            };
            /** @description thing.verb, e.g. key.create, budget_settings.update (docs/SECURITY.md lists them). */
            action: string;
            /** @description The id of what was acted on, when there is one. */
            target: string | null;
            /** @description What changed: {"field": {"from": …, "to": …}}, or the validated input; secrets appear as "[redacted]". */
            details: {
                [key: string]: unknown;
            };
            ip: string | null;
        };
        SessionsEnded: {
            /** @description The person's sessions ended, in every account. */
            endedSessions: number;
        };
        AuditPage: {
            items: components["schemas"]["AuditEntry"][];
            nextCursor: string | null;
        };
        FeedbackCounts: {
            /** @description Replies that are not an opt-out word. */
            replies: number;
            /** @description Replies that are an opt-out word (STOP, ARRET, UNSUBSCRIBE…). */
            optOuts: number;
            /** @description Spam complaints. */
            complaints: number;
        };
        FeedbackItem: {
            /** Format: date-time */
            at: string;
            campaign: {
                id: string;
                name: string | null;
            };
            /** @enum {string} */
            channel: "whatsapp" | "sms" | "email" | "mail";
            messageId: string;
            contactId: string | null;
            /** @description As the recipients list shows it (an anonymous key once the person is erased). */
            recipient: string | null;
            /** @enum {string} */
            kind: "reply" | "opt_out" | "complaint";
            /** @description What the recipient wrote; null for a complaint without text, and once the person is erased. */
            text: string | null;
        };
        FeedbackPage: {
            items: components["schemas"]["FeedbackItem"][];
            /** @description Of the account, or of the `campaign` and `channel` asked for (the other filters do not change them). */
            counts: components["schemas"]["FeedbackCounts"];
            nextCursor: string | null;
        };
        RetentionCohorts: {
            /**
             * @description What a cell counts: contacts who engaged (a human open, click, reply or scan) or who bought in that month.
             * @enum {string}
             */
            metric: "engaged" | "purchased";
            /** @description The channel asked for; null: all channels. */
            channel: ("whatsapp" | "sms" | "email" | "mail") | null;
            /** @description This month (YYYY-MM) in the account's time zone: the last cohort. */
            currentMonth: string;
            timeZone: string;
            cohorts: {
                /** @description The cohort month (YYYY-MM): contacts whose first message sent (on the channel) falls in it. */
                cohort: string;
                /** @description Contacts of the cohort. */
                contacts: number;
                /** @description One per month from the cohort month to this month. */
                cells: {
                    monthsSince: number;
                    /** @description Contacts of the cohort active (the metric) in that month. */
                    contacts: number;
                    /** @description contacts / the cohort's contacts; null for an empty cohort. */
                    share: number | null;
                }[];
                /** @description Contacts with at least one order (not cancelled). */
                buyers: number;
                /** @description Contacts with at least two orders. */
                repeatBuyers: number;
                /** @description repeat buyers / buyers; null without buyers. */
                repeatPurchaseRate: number | null;
                /** @description Median of the whole days between a contact's consecutive orders (gaps over 365 days count as 365); null without a repeat buyer. */
                medianDaysBetweenOrders: number | null;
                /** @description Contacts no longer reachable: opted out, complained, hard-bounced or invalid on the channel (all channels: on every channel they were sent a message on). */
                churned: number;
                /** @description churned / contacts; null without contacts. */
                churnRate: number | null;
            }[];
            /** @description Average retention by months since the cohort month. */
            curve: {
                monthsSince: number;
                /** @description Cohorts that have reached this month. */
                cohorts: number;
                /** @description Contacts of those cohorts. */
                contacts: number;
                /** @description Of them, active (the metric) that many months after their cohort month. */
                active: number;
                /** @description active / contacts (the average retention, weighted by cohort size). */
                share: number | null;
            }[];
            overall: {
                contacts: number;
                /** @description Contacts with at least one order (not cancelled). */
                buyers: number;
                /** @description Contacts with at least two orders. */
                repeatBuyers: number;
                /** @description repeat buyers / buyers; null without buyers. */
                repeatPurchaseRate: number | null;
                /** @description Median of the whole days between a contact's consecutive orders (gaps over 365 days count as 365); null without a repeat buyer. */
                medianDaysBetweenOrders: number | null;
                /** @description Contacts no longer reachable: opted out, complained, hard-bounced or invalid on the channel (all channels: on every channel they were sent a message on). */
                churned: number;
                /** @description churned / contacts; null without contacts. */
                churnRate: number | null;
            };
        };
        SuppressionList: {
            items: {
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                address: string;
                reason: string;
                source: string;
                /** Format: date-time */
                createdAt: string;
            }[];
            nextCursor: string | null;
        };
        Contact: {
            id: string;
            externalId: string | null;
            email: string | null;
            /** @description E.164. */
            phone: string | null;
            /** @description The postal address as given: { name, line1, line2, postalCode, city, country }. */
            address: {
                [key: string]: unknown;
            } | null;
            firstName: string | null;
            lastName: string | null;
            /** @description When the contact opted out of each channel; null: never. */
            optOuts: {
                /** Format: date-time */
                email: string | null;
                /** Format: date-time */
                sms: string | null;
                /** Format: date-time */
                whatsapp: string | null;
                /** Format: date-time */
                mail: string | null;
            };
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        ContactPage: {
            items: components["schemas"]["Contact"][];
            nextCursor: string | null;
        };
        ContactDetail: {
            contact: components["schemas"]["Contact"];
            /** @description The channels the contact opted out of: when, and why (the suppression entry's reason and source, else the message they unsubscribed from). */
            optOuts: {
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                /** Format: date-time */
                at: string;
                reason: string | null;
                source: string | null;
            }[];
            /** @description Suppression entries under the contact's e-mail, phone, address key or external id. */
            suppressions: {
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                address: string;
                reason: string;
                source: string;
                /** Format: date-time */
                createdAt: string;
            }[];
            /** @enum {string} */
            attributionModel: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
            lifetime: {
                currency: string;
                /** @description Orders of the contact not cancelled, in any currency. */
                orders: number;
                /** @description Σ revenue of those orders in the account currency (net of refunds, on the account's basis), minor units. */
                revenue: number;
                /** @description Σ of what campaigns were credited with for them under the account's attribution model, minor units. */
                creditedRevenue: number;
                /** @description Orders no rate converted to the account currency, summed apart. */
                unconverted: {
                    currency: string;
                    orders: number;
                    /** @description Minor units of the currency. */
                    revenue: number;
                }[];
                /** Format: date-time */
                firstOrderAt: string | null;
                /** Format: date-time */
                lastOrderAt: string | null;
                /**
                 * Format: date-time
                 * @description First human open, click, scan or reply.
                 */
                firstEngagedAt: string | null;
                /**
                 * Format: date-time
                 * @description Last human open, click, scan or reply.
                 */
                lastEngagedAt: string | null;
                /** @description Messages per channel (channels with none are left out). */
                channels: {
                    /** @enum {string} */
                    channel: "whatsapp" | "sms" | "email" | "mail";
                    messages: number;
                    sent: number;
                    /** @description Messages with a human open, click, scan or reply. */
                    engaged: number;
                }[];
            };
        };
        ContactTimeline: {
            items: {
                /** @enum {string} */
                kind: "message" | "click" | "scan" | "reply" | "optOut" | "order";
                /** @description The message id, the event's key or the order id. */
                id: string;
                /**
                 * Format: date-time
                 * @description A message: its send time (its registration when no send was reported); an event: its time; an order: when it was placed.
                 */
                at: string;
                campaign: {
                    id: string;
                    name: string | null;
                    channel: string;
                } | null;
                messageId: string | null;
                message: {
                    /** @enum {string} */
                    status: "pending" | "not_sent" | "queued" | "sent" | "delivered" | "opened" | "clicked" | "undelivered" | "bounced";
                    notSentReason: string | null;
                    failureReason: string | null;
                    bounceType: string | null;
                    /** Format: date-time */
                    registeredAt: string;
                    /** Format: date-time */
                    sentAt: string | null;
                    /** Format: date-time */
                    deliveredAt: string | null;
                    /** Format: date-time */
                    failedAt: string | null;
                    /** Format: date-time */
                    bouncedAt: string | null;
                    /** Format: date-time */
                    openedAt: string | null;
                    /** Format: date-time */
                    clickedAt: string | null;
                    /** Format: date-time */
                    repliedAt: string | null;
                    /** Format: date-time */
                    scannedAt: string | null;
                    /** Format: date-time */
                    unsubscribedAt: string | null;
                } | null;
                /** @description A click's or scan's destination. */
                url: string | null;
                /** @description A click or scan flagged as a bot or machine (never in the human figures); null for other kinds. */
                machine: boolean | null;
                flagReason: string | null;
                /** @description A reply's text. */
                text: string | null;
                /** @description An opt-out's event: unsubscribed or complained. */
                reason: string | null;
                order: {
                    externalId: string;
                    name: string | null;
                    source: string;
                    currency: string;
                    /** @description Minor units of the currency. */
                    gross: number;
                    /** @description Revenue on the account's basis, net of refunds, in revenueCurrency. */
                    revenue: number;
                    revenueCurrency: string;
                    /** @description Minor units of the currency. */
                    refunded: number;
                    /** Format: date-time */
                    cancelledAt: string | null;
                    items: number;
                    /** @description What each campaign was credited with for this order under the account's attribution model. */
                    credits: {
                        campaign: {
                            id: string;
                            name: string | null;
                            channel: string;
                        };
                        messageId: string | null;
                        kind: string;
                        weight: number;
                        /** @description Minor units of the currency. */
                        revenue: number;
                        currency: string;
                        direct: boolean;
                    }[];
                } | null;
            }[];
            nextCursor: string | null;
        };
        ContactExport: {
            /** Format: date-time */
            asOf: string;
            contact: components["schemas"]["Contact"];
            suppressions: {
                /** @enum {string} */
                channel: "whatsapp" | "sms" | "email" | "mail";
                address: string;
                reason: string;
                source: string;
                /** Format: date-time */
                createdAt: string;
            }[];
            messages: {
                id: string;
                campaignId: string;
                channel: string | null;
                recipient: string;
                /** @enum {string} */
                status: "pending" | "not_sent" | "queued" | "sent" | "delivered" | "opened" | "clicked" | "undelivered" | "bounced";
                notSentReason: string | null;
                failureReason: string | null;
                failureMessage: string | null;
                bounceType: string | null;
                /** Format: date-time */
                registeredAt: string | null;
                /** Format: date-time */
                sentAt: string | null;
                /** Format: date-time */
                deliveredAt: string | null;
                /** Format: date-time */
                openedAt: string | null;
                /** Format: date-time */
                clickedAt: string | null;
                /** Format: date-time */
                repliedAt: string | null;
                /** Format: date-time */
                unsubscribedAt: string | null;
                /** Format: date-time */
                complainedAt: string | null;
                /** @description Minor units of the currency. */
                cost: number;
                events: {
                    type: string;
                    /** Format: date-time */
                    at: string | null;
                    url: string | null;
                    machine: boolean;
                    flagReason: string | null;
                    /** @description What the provider or the tracker reported with the event (user agent, reply text, failure text…). */
                    data: {
                        [key: string]: unknown;
                    } | null;
                }[];
            }[];
            /** @description Opens, clicks and scans, with the user agent and IP address when they were reported. */
            visits: {
                messageId: string;
                type: string;
                /** Format: date-time */
                at: string | null;
                url: string | null;
                userAgent: string | null;
                ip: string | null;
                machine: boolean;
            }[];
            orders: {
                id: string;
                source: string;
                externalId: string;
                name: string | null;
                /** Format: date-time */
                orderedAt: string | null;
                currency: string;
                /** @description Minor units of the currency. */
                gross: number;
                /** @description Minor units of the currency. */
                revenue: number;
                revenueCurrency: string;
                /** Format: date-time */
                cancelledAt: string | null;
                /** @description Minor units of the currency. */
                refunded: number;
                customer: {
                    externalId: string | null;
                    email: string | null;
                    phone: string | null;
                };
                /** @description As the shop sent it. */
                billingAddress: unknown;
                /** @description As the shop sent it. */
                shippingAddress: unknown;
                /** @description As the shop sent them. */
                noteAttributes: unknown;
                /** @description What the buyer said brought them ("how did you hear about us"), as they wrote it. */
                declaredSource: string | null;
                /** @description What each campaign was credited with for this order, under each attribution model. */
                credits: {
                    /** @enum {string} */
                    model: "last_touch" | "first_touch" | "linear" | "position_based" | "time_decay" | "data_driven";
                    campaignId: string;
                    messageId: string | null;
                    channel: string;
                    kind: string;
                    weight: number;
                    /** @description Minor units of the currency. */
                    revenue: number;
                    currency: string;
                    direct: boolean;
                }[];
            }[];
        };
        ErasureSummary: {
            /** @description Contacts removed. */
            contacts: number;
            /** @description Messages whose recipient became an anonymous key (erased:…); their figures are unchanged. */
            messages: number;
            /** @description Events whose stored data lost its personal fields (user agent, IP address, reply and failure texts). */
            events: number;
            /** @description Orders whose customer fields were emptied; their money and credits are unchanged. */
            orders: number;
            /** @description Conversions other than orders (sign-ups, bookings…) of the person, deleted with their credits. */
            conversions: number;
            holdoutMembers: number;
            /** @description Suppression entries under the person's identifiers, removed. */
            suppressionsRemoved: number;
            /** @description Entries under their one-way hashes, added: the send gate refuses them on those channels. */
            suppressionsAdded: number;
            /** @description Events waiting for an unregistered message that named the person, removed. */
            waitingEvents: number;
            /** @description Dead letters that named the person, removed. */
            deadLetters: number;
        };
    };
    responses: {
        /** @description An error: what is wrong and what to do */
        Error: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": {
                    error?: string;
                    message?: string;
                    details?: {
                        path?: string;
                        message?: string;
                    }[];
                };
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
