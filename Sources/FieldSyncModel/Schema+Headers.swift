extension Schema {
    /// Column headers an import reads as a field besides its name, per entity: the common headers of CRM exports
    /// (Chinese and English). A header is matched ignoring case, spaces and a trailing colon; `fieldsync import
    /// --map 列名=field` names any other.
    public static let importHeaders: [EntityKind: [String: String]] = [
        .customer: [
            "客户名称": "name", "客户名": "name", "客户": "name", "公司名称": "name", "名称": "name", "customer name": "name",
            "customer": "name", "company": "name", "客户类型": "kind", "行业": "industry", "所属行业": "industry",
            "区域": "region", "地区": "region", "城市": "region", "地址": "address", "详细地址": "address",
            "销售区域": "territory", "片区": "territory", "负责人": "owner", "客户经理": "owner", "销售": "owner",
            "电话": "phone", "联系电话": "phone", "手机": "phone", "座机": "phone", "邮箱": "email", "电子邮件": "email",
            "e-mail": "email", "标签": "tags", "客户分类": "class", "客户等级": "class", "客户级别": "class",
            "关系阶段": "relationship", "信用等级": "creditGrade", "信用额度": "creditLimit", "客户热度": "temperature",
            "客户状态": "status", "状态": "status", "流失原因": "lossReason", "备注": "remarks",
        ],
        .contact: [
            "客户": "customer", "客户名称": "customer", "公司": "customer", "company": "customer", "姓名": "name",
            "联系人": "name", "职务": "title", "职位": "title", "角色": "role", "电话": "phone", "手机": "phone",
            "联系电话": "phone", "邮箱": "email", "电子邮件": "email", "e-mail": "email", "微信": "wechat",
        ],
        .visit: [
            "客户": "customer", "客户名称": "customer", "拜访人": "rep", "业务员": "rep", "拜访时间": "plannedAt",
            "计划时间": "plannedAt", "时间": "plannedAt", "拜访目的": "purpose", "目的": "purpose", "状态": "status",
            "拜访结果": "outcome", "结果": "outcome", "下一步": "nextStep",
        ],
        .opportunity: [
            "客户": "customer", "客户名称": "customer", "商机名称": "title", "商机": "title", "项目名称": "title",
            "金额": "amount", "预计金额": "amount", "预计成交日期": "closeDate", "成交日期": "closeDate", "负责人": "owner",
            "销售阶段": "stage", "阶段": "stage", "竞争对手": "mainCompetitor", "输单原因": "lossReason",
            "赢率": "probability", "成交概率": "probability",
        ],
        .complaint: [
            "客户": "customer", "客户名称": "customer", "类别": "category", "投诉类别": "category", "描述": "description",
            "投诉内容": "description", "步骤": "step", "处理部门": "department", "截止日期": "dueDate",
            "处理结果": "resolution", "满意度": "satisfaction",
        ],
        .lineItem: ["商机": "opportunity", "客户": "customer", "产品": "product", "数量": "quantity", "单价": "unitPrice"],
    ]

    /// The field of `kind` a CSV header names: the field's name, an earlier name of it, or one of
    /// `importHeaders` (ignoring case, spaces and a trailing colon); `nil` when it names none.
    public func field(forHeader header: String, of kind: EntityKind) -> FieldSpec? {
        let key = String(header.lowercased().filter { !$0.isWhitespace }.drop { $0 == "\u{FEFF}" })
            .trimmingSuffix([":", "："])
        if let field = self[kind].fields.first(where: { $0.name.lowercased() == key }) { return field }
        if let field = try? self.field(key, of: kind) { return field }
        let aliases = Self.importHeaders[kind] ?? [:]
        return aliases.first { $0.key.lowercased().filter { !$0.isWhitespace } == key }.flatMap { self[kind][$0.value] }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ marks: Set<Character>) -> String {
        var text = self
        while let last = text.last, marks.contains(last) { text.removeLast() }
        return text
    }
}
